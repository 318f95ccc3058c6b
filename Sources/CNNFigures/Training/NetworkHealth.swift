// E6. Health of a trained network: per weight layer, the histogram of its weights, the histogram of its
// outputs (after the activation that follows it) over a batch of test images, and how often each channel
// or unit is active. A ReLU channel that is never above 0 over the whole batch is dead: it passes no
// signal and gets no gradient, so training cannot revive it. Read from the model file and forward passes.
import CNNData
import CNNEngine
import CNNModels
import CNNPlot
import CNNRuns
import Foundation

/// Counts of values in equal bins over `lower ..< upper` (the last bin includes `upper`).
public struct Histogram: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var counts: [Int]

    /// Bins `values` into `bins` equal bins spanning their range (a zero-width range is widened by 1 each side).
    public init<C: Collection>(_ values: C, bins: Int, range: ClosedRange<Double>? = nil) where C.Element == Float {
        var lo = range?.lowerBound ?? Double(values.min() ?? 0), hi = range?.upperBound ?? Double(values.max() ?? 0)
        if hi <= lo { lo -= 1; hi += 1 }
        lower = lo; upper = hi
        var counts = [Int](repeating: 0, count: bins)
        let width = (hi - lo) / Double(bins)
        for v in values {
            let b = Int(((Double(v) - lo) / width).rounded(.down))
            counts[min(max(b, 0), bins - 1)] += 1
        }
        self.counts = counts
    }

    public var binWidth: Double { (upper - lower) / Double(counts.count) }
    public var total: Int { counts.reduce(0, +) }
}

/// The health of one weight layer: its weights, its activations over a batch, its dead units.
public struct LayerHealth: Sendable, Equatable {
    /// The layer's name (`C3`) and kind (`.conv2D`, `.dense`).
    public var name: String
    public var kind: LayerKind
    /// Channels (convolutions) or units (dense layers).
    public var units: Int
    /// The layers folded into its output (`relu3`).
    public var activation: [String]
    /// The weights (not the biases).
    public var weights: Histogram
    public var weightCount: Int
    /// The outputs after `activation`, zeros left out when a ReLU follows (their share is `zeroFraction`).
    public var activations: Histogram
    public var activationCount: Int
    public var zeroFraction: Double
    /// For each unit, the share of (image, position) where its output is above 0.
    public var activeFraction: [Double]
    /// Whether a ReLU follows, so that a unit can be dead.
    public var hasReLU: Bool

    /// The units never above 0 over the whole batch (only where a ReLU follows).
    public var deadUnits: [Int] { hasReLU ? activeFraction.indices.filter { activeFraction[$0] == 0 } : [] }
    /// The share of units that are dead.
    public var deadFraction: Double { Double(deadUnits.count) / Double(max(units, 1)) }
    /// "channel" or "unit".
    public var unitWord: String { kind == .conv2D ? "channel" : "unit" }
}

/// Weights, activations and dead units of every convolution and dense layer of a trained model.
public struct NetworkHealth: Figure {
    public let modelName: String
    public let modelTitle: String
    public let datasetName: String
    public let images: Int
    public let layers: [LayerHealth]

    /// Runs the first `limit` images of `dataset` through `model` and measures every top-level convolution and dense layer.
    /// - Throws: `LearnedFigureError` for a model without such layers or images that do not fit.
    public init(_ model: TrainedModel, dataset: Dataset, limit: Int = 1000, bins: Int = 40, batchSize: Int = 250) throws {
        let data = try model.inputs(dataset, limit: limit)
        let measured = model.network.layers.filter { $0 is Conv2D || $0 is Dense }
        guard !measured.isEmpty else { throw LearnedFigureError("\(model.path): \(model.contents.model) has no convolution or dense layers") }
        let targets = Set(measured.map(\.name))
        var outputs: [String: [Float]] = [:]
        var folded: [String: [String]] = [:]
        var active: [String: [Int]] = [:]
        var positionsOf: [String: Int] = [:]
        var start = 0
        while start < data.count {
            let n = min(batchSize, data.count - start)
            let batch = try model.batch(data, range: start..<(start + n))
            var pending: (name: String, output: Tensor, folded: [String])?
            func settle() {
                guard let (name, output, after) = pending else { return }
                let units = output.shape[1], positions = output.count / (n * units)
                if folded[name] == nil { folded[name] = after }
                positionsOf[name] = positions
                var counts = active[name] ?? [Int](repeating: 0, count: units)
                let p = output.pointer
                for b in 0..<n {
                    for u in 0..<units {
                        let base = (b * units + u) * positions
                        var k = 0
                        for i in 0..<positions where p[base + i] > 0 { k += 1 }
                        counts[u] += k
                    }
                }
                active[name] = counts
                outputs[name, default: []] += output.values
                pending = nil
            }
            _ = try model.network.forward(batch) { layer, output in
                if pending != nil, foldedKinds.contains(layer.kind), output.shape == pending!.output.shape {
                    pending!.output = output.copy(); pending!.folded.append(layer.name)
                    return
                }
                settle()
                if targets.contains(layer.name) { pending = (layer.name, output.copy(), []) }
            }
            settle()
            start += n
        }
        layers = measured.map { layer in
            let weight = layer.parameters.first { $0.name == "weight" }!.value.values
            let after = folded[layer.name] ?? []
            let hasReLU = after.contains { name in model.network.layers.first { $0.name == name }?.kind == .relu }
            let values = outputs[layer.name] ?? []
            let shown = hasReLU ? values.filter { $0 > 0 } : values
            let zeros = hasReLU ? Double(values.count - shown.count) / Double(max(values.count, 1)) : 0
            let m = Double(weight.map(abs).max() ?? 1)
            let total = Double(data.count) * Double(positionsOf[layer.name] ?? 1)
            let counts = active[layer.name] ?? []
            return LayerHealth(name: layer.name, kind: layer.kind, units: counts.count, activation: after,
                               weights: Histogram(weight, bins: bins, range: -m...m), weightCount: weight.count,
                               activations: Histogram(shown, bins: bins, range: hasReLU ? 0...Double(shown.max() ?? 1) : nil), activationCount: values.count, zeroFraction: zeros,
                               activeFraction: counts.map { Double($0) / total }, hasReLU: hasReLU)
        }
        modelName = ModelZoo.displayName(model.contents.model)
        modelTitle = model.displayName
        datasetName = dataset.collectionName
        images = data.count
    }

    public var catalogueID: String { "E6" }

    public var title: String { "E6. Health of \(modelName): weights, activations and dead units per layer" }

    /// Which units of a layer are dead, for the caption: "channels 5, 7 of C3", "23 units of C5".
    func deadText(_ layer: LayerHealth) -> String {
        let dead = layer.deadUnits
        if dead.count <= 4 {
            return "\(layer.unitWord)\(dead.count == 1 ? "" : "s") \(dead.map(String.init).joined(separator: ", ")) of \(layer.name)"
        }
        return "\(dead.count) \(layer.unitWord)s of \(layer.name)"
    }

    public var caption: String {
        // The panel headings count the dead units; the caption names them, which the figure does not.
        let deadLayers = layers.filter { !$0.deadUnits.isEmpty }
        let dead = deadLayers.isEmpty ? "No channel or unit is dead (never above 0 over the \(groupedThousands(images)) images). "
            : "Dead (never above 0 over the \(groupedThousands(images)) images): \(deadLayers.map(deadText).joined(separator: "; ")). "
        return "For each convolution and dense layer of \(modelTitle): the histogram of its weights; the histogram of its outputs after "
            + "its activation over the first \(groupedThousands(images)) \(datasetName) test images (count on a log scale; exact zeros "
            + "after a ReLU left out, their share printed); and the share of (image, position) at which each channel or unit is above 0. "
            + dead + "From the stored weights and forward passes; nothing was retrained."
    }

    public var preferredSize: Size { .inches(9, min(12, 1.2 + 1.75 * Double(layers.count))) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let note = "\(groupedThousands(images)) \(datasetName) test images; red columns: dead \(layers.contains { $0.kind == .conv2D } ? "channels" : "units") (never above 0)"
        let body = canvas.learnedPage(rect, title: title, note: note)
        let rowGap = style.labelGap * 2, columnGap = style.labelGap * 3
        let rowHeight = (body.height - rowGap * Double(layers.count - 1)) / Double(layers.count)
        let panelWidth = (body.width - 2 * columnGap) / 3
        let bar = style.seriesColor(0), dead = style.highlightColor
        for (r, layer) in layers.enumerated() {
            let top = body.minY + Double(r) * (rowHeight + rowGap)
            let last = r == layers.count - 1
            func area(_ k: Int) -> Rect { Rect(x: body.minX + Double(k) * (panelWidth + columnGap), y: top, width: panelWidth, height: rowHeight) }

            // Weights, linear counts.
            let w = layer.weights
            let weightAxes = canvas.plotAxes(in: area(0), title: "\(layer.name) weights (\(groupedThousands(layer.weightCount)))",
                                             x: w.lower...w.upper, y: 0...Double(w.counts.max() ?? 1), xLabel: last ? "weight" : nil,
                                             yLabel: "count", tickCount: 6, exactX: true)
            drawBars(w, axes: weightAxes, color: bar, on: canvas)

            // Activations, log counts.
            let a = layer.activations
            let after = layer.activation.isEmpty ? "outputs (no activation)" : "after \(layer.activation.joined(separator: ", "))"
            let zeros = layer.hasReLU ? ", \(formatNumber(layer.zeroFraction * 100, maximumFractionDigits: 0))% = 0" : ""
            let activationAxes = canvas.plotAxes(in: area(1), title: "\(layer.name) \(after)\(zeros)", x: a.lower...a.upper,
                                                 y: 1...Double(max(a.counts.max() ?? 1, 10)), xLabel: last ? "activation" : nil,
                                                 yLabel: "count", yLogarithmic: true, tickCount: 6, exactX: true)
            drawBars(a, axes: activationAxes, color: style.seriesColor(2), on: canvas)

            // The share of the time each unit is active; a dead one's whole column is shaded red, so that
            // the mark reads as a flag, not as a share (a bar would claim some activity).
            let heading = layer.hasReLU ? "\(layer.name): \(layer.deadUnits.count) of \(layer.units) \(layer.unitWord)s dead"
                : "\(layer.name): \(layer.units) \(layer.unitWord)s, no ReLU"
            let unitAxes = canvas.plotAxes(in: area(2), title: heading, x: -0.5...(Double(layer.units) - 0.5), y: 0...100,
                                           xLabel: last ? "channel or unit" : nil, yLabel: "% active", tickCount: 6, exactX: true)
            let width = unitAxes.plot.width / Double(max(unitAxes.x.upperBound - unitAxes.x.lowerBound, 1))
            for (u, share) in layer.activeFraction.enumerated() {
                let low = unitAxes.point(Double(u) - 0.5, 0), high = unitAxes.point(Double(u) + 0.5, share * 100)
                let isDead = layer.hasReLU && share == 0
                if isDead {
                    canvas.fill(Rect(x: low.x, y: unitAxes.plot.minY, width: max(width, 2), height: unitAxes.plot.height),
                                color: dead.withAlpha(0.3))
                    canvas.line(from: Point(x: low.x, y: low.y), to: Point(x: low.x + max(width, 2), y: low.y), color: dead, lineWidth: 2)
                } else {
                    canvas.fill(Rect(x: low.x + width * 0.1, y: high.y, width: max(width * 0.8, 0.5), height: low.y - high.y),
                                color: style.seriesColor(4))
                }
            }
        }
    }

    /// Draws a histogram's bars on `axes` (bars of zero count are left out; on a log axis they start at 1).
    func drawBars(_ histogram: Histogram, axes: PlotAxes, color: RGBColor, on canvas: Canvas) {
        canvas.withClip(to: axes.plot) {
            for (b, count) in histogram.counts.enumerated() where count > 0 {
                let x0 = histogram.lower + Double(b) * histogram.binWidth
                let low = axes.point(x0, axes.yLogarithmic ? axes.y.lowerBound : 0), high = axes.point(x0 + histogram.binWidth, Double(count))
                canvas.fill(Rect(x: low.x, y: high.y, width: max(high.x - low.x - 0.5, 0.5), height: low.y - high.y), color: color)
            }
        }
    }
}
