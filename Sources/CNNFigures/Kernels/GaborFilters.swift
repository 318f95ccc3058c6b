// B2: a bank of Gabor filters (the hand-designed model of V1 simple cells) beside the first-layer
// filters a network learned, read from a model file.
import CNNEngine
import CNNModels
import CNNPlot
import CNNRuns
import CNNStore
import Foundation

/// Gabor filters over orientations x wavelengths, computed:
/// g(x, y) = exp(-(x'² + γ² y'²) / 2σ²) cos(2π x' / λ), x' = x cos θ + y sin θ, y' = -x sin θ + y cos θ.
public struct GaborBank: Sendable {
    /// Side of each square filter, in pixels (odd).
    public let size: Int
    /// Orientations θ in radians: 0, π/n, ..., (n-1)π/n.
    public let orientations: [Double]
    /// Wavelengths λ in pixels, one row of the bank each.
    public let wavelengths: [Double]
    /// The envelope's aspect ratio γ.
    public let aspectRatio: Double
    /// Filters row by row (wavelength), then orientation; each `size * size` values.
    public let filters: [[Float]]

    /// Computes the bank. The envelope's σ is 0.45 λ, so a filter holds a little over one cycle each side.
    /// - Throws: `ConfigurationError` for an even or tiny size, no orientations, or a non-positive wavelength.
    public init(size: Int = 25, orientationCount: Int = 8, wavelengths: [Double] = [4, 6, 9], aspectRatio: Double = 0.75) throws {
        guard size >= 3, size % 2 == 1 else { throw ConfigurationError("Gabor filter size must be odd and at least 3, got \(size)") }
        guard orientationCount >= 1 else { throw ConfigurationError("Gabor bank needs at least one orientation, got \(orientationCount)") }
        guard !wavelengths.isEmpty, wavelengths.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ConfigurationError("Gabor wavelengths must be positive numbers, got \(wavelengths)")
        }
        self.size = size
        self.orientations = (0..<orientationCount).map { Double($0) * .pi / Double(orientationCount) }
        self.wavelengths = wavelengths
        self.aspectRatio = aspectRatio
        filters = wavelengths.flatMap { lambda in
            (0..<orientationCount).map { i in
                Self.gabor(size: size, theta: Double(i) * .pi / Double(orientationCount), wavelength: lambda,
                           sigma: Self.sigmaPerWavelength * lambda, aspectRatio: aspectRatio)
            }
        }
    }

    /// The envelope's σ over the wavelength.
    public static let sigmaPerWavelength = 0.45

    /// One Gabor filter, cosine phase, row-major (y down).
    public static func gabor(size: Int, theta: Double, wavelength: Double, sigma: Double, aspectRatio: Double) -> [Float] {
        let half = size / 2
        var values: [Float] = []
        values.reserveCapacity(size * size)
        for row in 0..<size {
            for column in 0..<size {
                let x = Double(column - half), y = Double(row - half)
                let xr = x * cos(theta) + y * sin(theta), yr = -x * sin(theta) + y * cos(theta)
                let envelope = exp(-(xr * xr + aspectRatio * aspectRatio * yr * yr) / (2 * sigma * sigma))
                values.append(Float(envelope * cos(2 * .pi * xr / wavelength)))
            }
        }
        return values
    }
}

/// The first convolution's filters of a trained model, as stored in its file.
public struct FirstLayerFilters: Sendable {
    /// The model's zoo name and the layer's name (`lenet5`, `C1`).
    public var model: String, layer: String
    /// Input channels, kernel height and width.
    public var channels: Int, height: Int, width: Int
    /// One entry per filter: `channels` planes of `height * width` weights.
    public var filters: [[Float]]
    /// The data set it was trained on and its last test error (a fraction), when the file records them.
    public var dataset: String?, testError: Double?
    /// What the model is and what it learned from, as its file says (see `ModelConvolutions.provenance`).
    public var provenance: String?
    /// The model's name and its data set: "v1net (Fashion-MNIST)".
    public var title: String

    /// Reads the model file and takes the first Conv2D's weights.
    /// - Throws: the store's errors naming the file; `ConfigurationError` when the model has no convolution.
    public init(modelFile path: String) throws {
        let (spec, network, contents) = try ModelFile.loadModel(from: URL(fileURLWithPath: path))
        guard let conv = Self.firstConvolution(in: network) else {
            throw ConfigurationError("\(path): model \(spec.name) has no convolution layer, so it has no filters to show")
        }
        model = spec.name
        layer = conv.name
        let shape = conv.weight.value.shape
        channels = shape[1]; height = shape[2]; width = shape[3]
        let per = channels * height * width, values = conv.weight.value.values
        filters = (0..<shape[0]).map { Array(values[($0 * per)..<(($0 + 1) * per)]) }
        dataset = contents.dataset?.name
        testError = contents.history["test_error"]?.last(where: { $0.isFinite })
        provenance = trainingProvenance(contents)
        title = TrainedModel.displayName(of: contents)
    }

    static func firstConvolution(in layer: any Layer) -> Conv2D? {
        (layer as? Conv2D) ?? layer.firstLayer { $0 is Conv2D } as? Conv2D
    }

    /// The filters as drawn: RGB planes for three input channels, else one plane (the mean over channels).
    public var drawn: (images: [[Float]], channels: Int) {
        if channels == 3 || channels == 1 { return (filters, channels) }
        let plane = height * width
        return (filters.map { f in (0..<plane).map { i in (0..<channels).reduce(Float(0)) { $0 + f[$1 * plane + i] } / Float(channels) } }, 1)
    }

    /// "v1net C1: 32 filters 1×7×7, trained on Fashion-MNIST train, 3 epochs, test error 11.20%".
    public var description: String {
        var text = "\(ModelZoo.displayName(model)), layer \(layer): \(filters.count) filters \(channels)×\(height)×\(width)"
        if let provenance { text += ", " + provenance }
        else if let dataset { text += ", trained on \(dataset)" }
        return text
    }
}

/// B2: the Gabor bank beside the learned first-layer filters of one or more models (or the bank alone).
public struct GaborFigure: Figure, Sendable {
    public let bank: GaborBank
    /// The learned filters shown at the right, one panel each, top to bottom.
    public let learned: [FirstLayerFilters]

    public init(bank: GaborBank, learned: [FirstLayerFilters] = []) {
        self.bank = bank
        self.learned = learned
    }

    public var catalogueID: String { "B2" }
    public var title: String { learned.isEmpty ? "B2. A bank of Gabor filters" : "B2. Gabor filters and learned first-layer filters" }
    public var preferredSize: Size { learned.isEmpty ? .inches(8, 4.4) : learned.count == 1 ? .inches(12, 5.2) : .inches(12, 7.2) }
    public var caption: String {
        var text = "Gabor filters (cosine phase, σ = \(formatNumber(GaborBank.sigmaPerWavelength)) λ, aspect \(formatNumber(bank.aspectRatio))), \(bank.orientations.count) orientations × "
            + "\(bank.wavelengths.count) wavelengths, \(bank.size)×\(bank.size) pixels, computed."
        if learned.count == 1 { text += " Right: \(learned[0].description), read from the model file." }
        if learned.count > 1 {
            let places = ["top", "bottom"] + (2..<max(2, learned.count)).map { "panel \($0 + 1)" }
            text += " Right, read from the model files: " + learned.enumerated().map { "(\(places[$0.offset])) \($0.element.description)" }.joined(separator: "; ") + "."
        }
        return text
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let area = rect.insetBy(dx: style.margin, dy: style.margin)
        let scale = min(1.3, max(0.55, min(area.width / (learned.isEmpty ? 560 : 840), area.height / 320)))
        // A short note: the report prints the full caption under the figure, so it is not repeated inside it.
        let note = learned.isEmpty ? "grey = 0, each filter scaled to its largest |w|" : "each filter scaled to its largest |w|"
        let body = canvas.titledFrame(title: title, note: note, in: area, scale: scale, spacing: 10)
        let gap = 30 * scale
        let bankWidth = learned.isEmpty ? body.width : (body.width - gap) * (learned.count == 1 ? 0.64 : 0.5)
        // Never below 18 px on a page shown 1500 px wide.
        let legible = canvas.smallestLegibleFontSize
        let labelFont = Font(size: max(style.labelFont.size * scale, legible), bold: true)
        let tickFont = Font(size: max(style.tickFont.size * scale, legible))
        let labelHeight = canvas.measure("Hg", font: labelFont).height

        // The bank: columns are orientations, rows wavelengths, with their values written along the edges.
        let bankRect = Rect(x: body.minX, y: body.minY, width: bankWidth, height: body.height)
        let rowLabelWidth = canvas.measure("λ = 10.5 px", font: tickFont).width + 6 * scale
        let tickHeight = canvas.measure("Hg", font: tickFont).height
        let gridRect = bankRect.inset(top: labelHeight + tickHeight + 8 * scale, left: rowLabelWidth)
        let layout = canvas.imageGrid(bank.filters, imageWidth: bank.size, imageHeight: bank.size, columns: bank.orientations.count,
                                      in: gridRect, colorMap: .greys, scaling: .symmetricPerImage, gap: 4 * scale)
        // "θ = " once, over the first column, so the angles fit narrow columns without overlapping.
        let angles = bank.orientations.enumerated().map { "\($0.offset == 0 ? "θ = " : "")\(formatNumber($0.element * 180 / .pi, maximumFractionDigits: 1))°" }
        let angleFont = tickFont.withSize(canvas.fittedFontSize(for: angles, in: Size(width: layout.cellSize.width, height: tickHeight), font: tickFont))
        for (c, angle) in angles.enumerated() {
            let cell = layout.cellRect(row: 0, column: c)
            canvas.text(angle, at: Point(x: cell.center.x, y: cell.minY - 3 * scale), font: angleFont, horizontal: .center, vertical: .bottom)
        }
        // The heading sits just over its grid (the grid is centred in the panel's height), not at the panel's top.
        let gridTop = layout.cellRect(row: 0, column: 0).minY - 3 * scale - tickHeight - 8 * scale
        canvas.fittedText("Gabor filters (computed)", in: Rect(x: bankRect.minX, y: gridTop - labelHeight, width: bankRect.width, height: labelHeight),
                          font: labelFont, horizontal: .center, vertical: .top)
        for (r, lambda) in bank.wavelengths.enumerated() {
            let cell = layout.cellRect(row: r, column: 0)
            canvas.text("λ = \(formatNumber(lambda, maximumFractionDigits: 1)) px", at: Point(x: cell.minX - 6 * scale, y: cell.center.y),
                        font: tickFont, horizontal: .right, vertical: .middle)
        }

        // The learned filters: one panel per model, top to bottom, each grid as large as its panel allows.
        guard !learned.isEmpty else { return }
        let right = Rect(x: bankRect.maxX + gap, y: body.minY, width: body.maxX - bankRect.maxX - gap, height: body.height)
        let panelGap = 12 * scale
        let panelHeight = (right.height - panelGap * Double(learned.count - 1)) / Double(learned.count)
        for (p, filters) in learned.enumerated() {
            let panel = Rect(x: right.minX, y: right.minY + Double(p) * (panelHeight + panelGap), width: right.width, height: panelHeight)
            canvas.fittedText("Learned: \(filters.title)", in: Rect(x: panel.minX, y: panel.minY, width: panel.width, height: labelHeight),
                              font: labelFont, horizontal: .center, vertical: .top)
            let (images, channels) = filters.drawn
            let filtersRect = panel.inset(top: labelHeight + 6 * scale, bottom: tickHeight + 4 * scale)
            let columns = fittingColumns(images.count, cellAspect: Double(filters.width) / Double(filters.height), in: filtersRect)
            let learnedLayout = canvas.imageGrid(images, imageWidth: filters.width, imageHeight: filters.height, channels: channels,
                                                 columns: columns, in: filtersRect, colorMap: .greys,
                                                 scaling: .symmetricPerImage, gap: 3 * scale)
            let line = "\(filters.filters.count) filters \(filters.channels)×\(filters.height)×\(filters.width)"
                + (filters.channels == 3 ? ", RGB, mid-grey = 0" : ", grey = 0")
            canvas.fittedText(line, in: Rect(x: panel.minX, y: learnedLayout.frame.maxY + 4 * scale, width: panel.width, height: tickHeight),
                              font: tickFont, color: style.mutedForeground, horizontal: .center, vertical: .top)
        }
    }
}

/// The number of columns that draws `count` cells of aspect `cellAspect` (width / height) largest inside `rect`.
func fittingColumns(_ count: Int, cellAspect: Double, in rect: Rect) -> Int {
    guard count > 1, rect.width > 0, rect.height > 0 else { return max(count, 1) }
    return (1...count).max { a, b in
        func side(_ columns: Int) -> Double {
            let rows = (count + columns - 1) / columns
            return min(rect.width / Double(columns), rect.height / Double(rows) * cellAspect)
        }
        return side(a) < side(b)
    } ?? 1
}
