// C7. The learned representation: the test images as points in two dimensions, by principal component
// analysis, coloured by class; the raw pixels on the left, the penultimate layer's features (the input
// of the last linear layer, what the classifier separates) on the right. The classes overlap in pixel
// space and fall apart in feature space. PCA is computed here (covariance, subspace iteration from a
// seeded start, Rayleigh-Ritz with a Jacobi eigen-solver): deterministic, no LAPACK.
import CNNData
import CNNEngine
import CNNModels
import CNNPlot
import CNNRuns
import Foundation

/// Principal components of a set of points (rows of `values`, `dimension` each), largest variance first.
public struct PrincipalComponents: Sendable, Equatable {
    /// The mean point.
    public var mean: [Double]
    /// Unit axes, one per component, each of `dimension` values; the entry of largest magnitude is positive.
    public var axes: [[Double]]
    /// The variance along each axis (eigenvalues of the covariance, divided by n − 1).
    public var variances: [Double]
    /// The total variance (trace of the covariance).
    public var totalVariance: Double

    /// The share of the total variance each axis explains.
    public var explained: [Double] { variances.map { totalVariance > 0 ? $0 / totalVariance : 0 } }

    /// Finds the first `count` principal components of `rows` points of `dimension` values (row-major).
    ///
    /// C = Xcᵀ Xc / (n − 1); Q ← orth(C Q) from a seeded start with `count` + 4 columns until the subspace
    /// stops moving; then the eigenvectors of Qᵀ C Q (Jacobi) rotate Q onto the axes.
    public init(_ values: [Float], rows: Int, dimension: Int, count: Int = 2) {
        precondition(rows >= 2 && dimension >= 1 && values.count == rows * dimension, "PrincipalComponents: \(rows) x \(dimension) points")
        let d = dimension
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<rows { for j in 0..<d { mean[j] += Double(values[r * d + j]) } }
        for j in 0..<d { mean[j] /= Double(rows) }
        // The centred points, and the covariance C = Xcᵀ Xc / (n − 1) where it is cheaper to form it than to apply
        // it as Xcᵀ (Xc v) (fewer dimensions than twice the points). Sums run in a fixed order.
        var x = [Double](repeating: 0, count: rows * d)
        for r in 0..<rows { for j in 0..<d { x[r * d + j] = Double(values[r * d + j]) - mean[j] } }
        let total = x.reduce(0) { $0 + $1 * $1 } / Double(rows - 1)
        let explicit = d <= 2 * rows
        var cov: [Double] = []
        if explicit {
            cov = [Double](repeating: 0, count: d * d)
            for r in 0..<rows {
                let base = r * d
                for i in 0..<d where x[base + i] != 0 {
                    let ci = x[base + i]
                    for j in i..<d { cov[i * d + j] += ci * x[base + j] }
                }
            }
            for i in 0..<d { for j in i..<d { cov[i * d + j] /= Double(rows - 1); cov[j * d + i] = cov[i * d + j] } }
        }
        func multiply(_ v: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: d)
            if explicit {
                for i in 0..<d {
                    var s = 0.0
                    for j in 0..<d { s += cov[i * d + j] * v[j] }
                    out[i] = s
                }
            } else {
                for r in 0..<rows {
                    var s = 0.0
                    for j in 0..<d { s += x[r * d + j] * v[j] }
                    s /= Double(rows - 1)
                    for j in 0..<d { out[j] += s * x[r * d + j] }
                }
            }
            return out
        }
        let k = min(count, d), m = min(d, count + 4)
        var q = [[Double]](repeating: [Double](repeating: 0, count: d), count: m)
        var generator = SeededGenerator(seed: 1)
        for c in 0..<m { for i in 0..<d { q[c][i] = Double(generator.nextUniform()) - 0.5 } }
        Self.orthonormalize(&q)
        for _ in 0..<500 {
            var next = q.map(multiply)
            Self.orthonormalize(&next)
            // Converged when each of the first k new vectors lies in the old subspace.
            let moved = (0..<k).map { c in 1 - q.reduce(0) { $0 + pow(Self.dot($1, next[c]), 2) } }.max() ?? 0
            q = next
            if moved < 1e-12 { break }
        }
        // Rayleigh-Ritz: the eigenvectors of the small matrix T = Qᵀ C Q give the axes inside the subspace.
        let cq = q.map(multiply)
        var t = [Double](repeating: 0, count: m * m)
        for a in 0..<m { for b in 0..<m { t[a * m + b] = Self.dot(q[a], cq[b]) } }
        let (eigenvalues, eigenvectors) = Self.jacobiEigen(t, size: m)
        let order = (0..<m).sorted { eigenvalues[$0] > eigenvalues[$1] }
        var axes: [[Double]] = []
        for e in order.prefix(k) {
            var axis = [Double](repeating: 0, count: d)
            for a in 0..<m { for i in 0..<d { axis[i] += eigenvectors[a * m + e] * q[a][i] } }
            let norm = Self.dot(axis, axis).squareRoot()
            axis = axis.map { $0 / norm }
            // A fixed sign: the entry of largest magnitude is positive.
            if let big = axis.indices.max(by: { abs(axis[$0]) < abs(axis[$1]) }), axis[big] < 0 { axis = axis.map { -$0 } }
            axes.append(axis)
        }
        self.mean = mean
        self.axes = axes
        variances = order.prefix(k).map { max(0, eigenvalues[$0]) }
        totalVariance = total
    }

    /// The coordinates of `rows` points along the axes: (x − mean) · axis, point by point.
    public func project(_ values: [Float], rows: Int) -> [[Double]] {
        let d = mean.count
        return (0..<rows).map { r in
            axes.map { axis in (0..<d).reduce(0.0) { $0 + (Double(values[r * d + $1]) - mean[$1]) * axis[$1] } }
        }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Gram-Schmidt twice over ("twice is enough"), in place. A vector with (almost) nothing left outside the ones
    /// before it, as happens when the points span fewer dimensions than there are vectors, is replaced by the first
    /// unit axis not yet spanned, so the result is always orthonormal.
    static func orthonormalize(_ vectors: inout [[Double]]) {
        func removeEarlier(_ v: inout [Double], before c: Int) {
            for _ in 0..<2 {
                for p in 0..<c {
                    let r = dot(vectors[p], v)
                    for i in v.indices { v[i] -= r * vectors[p][i] }
                }
            }
        }
        for c in vectors.indices {
            var v = vectors[c]
            let before = dot(v, v).squareRoot()
            removeEarlier(&v, before: c)
            var norm = dot(v, v).squareRoot()
            if !(norm > 1e-9 * before) || norm == 0 {
                for axis in v.indices {
                    var e = [Double](repeating: 0, count: v.count)
                    e[axis] = 1
                    removeEarlier(&e, before: c)
                    let n = dot(e, e).squareRoot()
                    if n > 0.5 { v = e; norm = n; break }
                }
            }
            vectors[c] = v.map { $0 / norm }
        }
    }

    /// Eigenvalues and eigenvectors (columns of a row-major `size` x `size` matrix) of the symmetric matrix `a`,
    /// by cyclic Jacobi rotations until the off-diagonal part vanishes.
    static func jacobiEigen(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in 0..<n where i != j { off += a[i * n + j] * a[i * n + j] } }
            let scale = (0..<n).reduce(0.0) { $0 + a[$1 * n + $1] * a[$1 * n + $1] }
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for p in 0..<n {
                for r in (p + 1)..<max(p + 1, n) where a[p * n + r] != 0 {
                    let theta = (a[r * n + r] - a[p * n + p]) / (2 * a[p * n + r])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akr = a[k * n + r]
                        a[k * n + p] = c * akp - s * akr; a[k * n + r] = s * akp + c * akr
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], ark = a[r * n + k]
                        a[p * n + k] = c * apk - s * ark; a[r * n + k] = s * apk + c * ark
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkr = v[k * n + r]
                        v[k * n + p] = c * vkp - s * vkr; v[k * n + r] = s * vkp + c * vkr
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}

/// Test images placed by the first two principal components of their pixels and of a layer's features.
public struct FeatureEmbedding: Figure {
    /// One panel: the points, their classes, and what the axes explain.
    public struct Panel: Sendable, Equatable {
        /// "pixels" or the layer ("F6").
        public var name: String
        /// What was embedded: "the 1,024 input pixels", "F6's 84 features (after relu6)".
        public var description: String
        public var dimension: Int
        /// The activations folded in after the layer ("relu6"), or "".
        public var after: String = ""
        /// (PC 1, PC 2) per image.
        public var points: [[Double]]
        /// The share of the variance of each of the two axes.
        public var explained: [Double]
        /// The share of images whose nearest class mean in this plane is their own class's.
        public var nearestMeanAccuracy: Double
    }

    public let modelName: String
    public let modelTitle: String
    public let datasetName: String
    public let classNames: [String]
    /// The class of each image.
    public let labels: [Int]
    /// Pixels first, then features.
    public let panels: [Panel]

    /// Runs the first `limit` test images of `dataset` through `model` and embeds the input of its last
    /// linear layer (or the output of `layer`, after the activations that follow it).
    /// - Throws: `LearnedFigureError` for a model without a dense layer, an unknown layer, or images that do not fit.
    public init(_ model: TrainedModel, dataset: Dataset, layer: String? = nil, limit: Int = 2000, batchSize: Int = 250) throws {
        let data = try model.inputs(dataset, limit: limit)
        guard data.count >= 3 else { throw LearnedFigureError("\(dataset.name): an embedding needs at least 3 images, got \(data.count)") }
        let layers = model.network.layers
        // The layer whose output is embedded: the one named, else the last before the final dense layer,
        // moved past the activations (and dropout) that follow it.
        var index: Int
        if let layer {
            guard let found = layers.firstIndex(where: { $0.name == layer }) else {
                throw LearnedFigureError("\(model.path): no layer named \"\(layer)\"; \(model.contents.model) has \(layers.map(\.name).joined(separator: ", "))")
            }
            index = found
        } else {
            guard let last = layers.lastIndex(where: { $0.kind == .dense }), last > 0 else {
                throw LearnedFigureError("\(model.path): \(model.contents.model) has no linear layer after another layer; give --layer")
            }
            index = last - 1
            while index > 0 && foldedKinds.contains(layers[index].kind) { index -= 1 }
        }
        let named = layers[index]
        var folded: [String] = []
        while index + 1 < layers.count && foldedKinds.contains(layers[index + 1].kind) && index + 1 < layers.count - 1 {
            index += 1; folded.append(layers[index].name)
        }
        let captured = layers[index]

        var features: [Float] = [], pixels: [Float] = []
        var dimension = 0
        var start = 0
        while start < data.count {
            let n = min(batchSize, data.count - start)
            let batch = try model.batch(data, range: start..<(start + n))
            pixels += batch.values
            _ = try model.network.forward(batch) { layer, output in
                guard layer === captured else { return }
                dimension = output.count / n
                features += output.values
            }
            start += n
        }
        let pixelDimension = data.imageByteCount
        let labels = (0..<data.count).map { Int(data.labels[$0]) }
        let classes = max(model.spec.classes, (labels.max() ?? 0) + 1)
        let via = folded.isEmpty ? "" : " (after \(folded.joined(separator: ", ")))"
        // The pixels' panel only where their covariance is small enough to compute (up to 64x64 grey images).
        var panels: [Panel] = []
        if pixelDimension <= 4096 {
            panels.append(Self.panel(name: "pixels", description: "the \(groupedThousands(pixelDimension)) input pixels", values: pixels,
                                     dimension: pixelDimension, labels: labels, classes: classes))
        }
        guard dimension <= 4096 else {
            throw LearnedFigureError("\(model.path): layer \(named.name) has \(groupedThousands(dimension)) features per image; choose a layer with at most 4,096 (--layer)")
        }
        var featurePanel = Self.panel(name: named.name, description: "\(named.name)'s \(groupedThousands(dimension)) features\(via)", values: features,
                                      dimension: dimension, labels: labels, classes: classes)
        featurePanel.after = folded.joined(separator: ", ")
        panels.append(featurePanel)
        self.panels = panels
        self.labels = labels
        modelName = ModelZoo.displayName(model.contents.model)
        modelTitle = model.displayName
        datasetName = dataset.collectionName
        classNames = model.classNames.count >= classes ? model.classNames : (0..<classes).map(String.init)
    }

    /// PCA of `values`, and how well the class means separate the classes in the plane.
    static func panel(name: String, description: String, values: [Float], dimension: Int, labels: [Int], classes: Int) -> Panel {
        let pca = PrincipalComponents(values, rows: labels.count, dimension: dimension, count: 2)
        let points = pca.project(values, rows: labels.count)
        return Panel(name: name, description: description, dimension: dimension, points: points, explained: pca.explained,
                     nearestMeanAccuracy: nearestMeanAccuracy(points, labels: labels, classes: classes))
    }

    /// The share of points whose nearest class mean (Euclidean, in the plane) is their own class's.
    static func nearestMeanAccuracy(_ points: [[Double]], labels: [Int], classes: Int) -> Double {
        var sums = [[Double]](repeating: [0, 0], count: classes), counts = [Int](repeating: 0, count: classes)
        for (p, l) in zip(points, labels) { sums[l][0] += p[0]; sums[l][1] += p[1]; counts[l] += 1 }
        let means = (0..<classes).map { counts[$0] > 0 ? [sums[$0][0] / Double(counts[$0]), sums[$0][1] / Double(counts[$0])] : nil }
        var right = 0
        for (p, l) in zip(points, labels) {
            let nearest = (0..<classes).filter { means[$0] != nil }.min { a, b in
                pow(p[0] - means[a]![0], 2) + pow(p[1] - means[a]![1], 2) < pow(p[0] - means[b]![0], 2) + pow(p[1] - means[b]![1], 2)
            }
            if nearest == l { right += 1 }
        }
        return Double(right) / Double(max(points.count, 1))
    }

    public var catalogueID: String { "C7" }

    public var title: String {
        "C7. What \(modelName) has learned: \(groupedThousands(labels.count)) \(datasetName) test images in 2-D (PCA)"
    }

    static func percent(_ x: Double) -> String { formatNumber(x * 100, maximumFractionDigits: 1) + "%" }

    public var caption: String {
        let parts = panels.map { p in
            "\(p.description): the two axes explain \(Self.percent(p.explained[0])) and \(Self.percent(p.explained[1])) of the variance, "
                + "and the nearest class mean in the plane is the right class for \(Self.percent(p.nearestMeanAccuracy)) of the images"
        }
        return "The first \(groupedThousands(labels.count)) \(datasetName) test images projected on the first two principal components "
            + "(computed by CNNBench, deterministic) of \(parts.joined(separator: "; of ")), one colour per class. "
            + "Features from a forward pass of \(modelTitle)'s stored network; nothing was retrained."
    }

    public var preferredSize: Size { .inches(9, 5.6) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let note = "each dot one test image, coloured by its true class; nearest-class-mean accuracy in the plane under each panel"
        let body = canvas.learnedPage(rect, title: title, note: note)
        // A legend column on the right: a dot and the class name.
        let legendFont = style.labelFont
        let row = canvas.measure("Hg", font: legendFont).height * 1.25
        let legendWidth = (classNames.map { canvas.measure($0, font: legendFont).width }.max() ?? 0) + 22
        let panelsArea = body.inset(right: legendWidth + style.labelGap * 2)
        let gap = style.labelGap * 4
        let panelWidth = (panelsArea.width - gap * Double(panels.count - 1)) / Double(panels.count)
        for (k, panel) in panels.enumerated() {
            let area = Rect(x: panelsArea.minX + Double(k) * (panelWidth + gap), y: panelsArea.minY, width: panelWidth, height: panelsArea.height)
            let xs = panel.points.map { $0[0] }, ys = panel.points.map { $0[1] }
            let heading = panel.name == "pixels" ? "input: \(groupedThousands(panel.dimension)) pixels" : "\(panel.name): \(groupedThousands(panel.dimension)) features\(panel.after.isEmpty ? "" : " after \(panel.after)")"
            let footer = "nearest class mean right for \(Self.percent(panel.nearestMeanAccuracy))"
            let footerHeight = canvas.measure(footer, font: style.tickFont).height + style.labelGap
            let axes = canvas.plotAxes(in: area.inset(bottom: footerHeight), title: heading,
                                       x: (xs.min() ?? 0)...(xs.max() ?? 1), y: (ys.min() ?? 0)...(ys.max() ?? 1),
                                       xLabel: "PC 1 (\(Self.percent(panel.explained[0])) of variance)",
                                       yLabel: "PC 2 (\(Self.percent(panel.explained[1])))")
            canvas.withClip(to: axes.plot) {
                for (p, label) in zip(panel.points, labels) {
                    canvas.circle(center: axes.point(p[0], p[1]), radius: 1.7, fill: style.seriesColor(label).withAlpha(0.65))
                }
            }
            canvas.text(footer, at: Point(x: area.center.x, y: area.maxY), font: style.tickFont, color: style.mutedForeground,
                        horizontal: .center, vertical: .bottom)
        }
        var y = body.center.y - row * Double(classNames.count) / 2
        let x = body.maxX - legendWidth
        for (c, name) in classNames.enumerated() {
            canvas.circle(center: Point(x: x + 6, y: y + row / 2), radius: 5, fill: style.seriesColor(c))
            canvas.text(name, at: Point(x: x + 16, y: y + row / 2), font: legendFont, horizontal: .left, vertical: .middle)
            y += row
        }
    }
}
