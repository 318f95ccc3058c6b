// A7: parameter counting. The lecture's small examples are built as engine models and counted by
// the engine; the written-out formula is made from the same layers' sizes, so the two agree by
// construction and a test checks it. The zoo tables come from ModelSummary.
import CNNEngine
import CNNModels
import CNNPlot

/// One of the lecture's counting examples: a small network, its count by the engine, and the sum written out.
public struct CountingExample: Sendable {
    /// What is counted, as the lecture asks it.
    public var question: String
    /// The network, as data.
    public var spec: ModelSpec
    /// The parameters the engine's layers hold.
    public let parameters: Int
    /// The count written out from the layers' sizes, such as `9×9×20 + 20×10`.
    public let formula: String
    /// The value of `formula`, computed from the same sizes.
    public let formulaValue: Int

    /// Builds `spec` with the engine and writes out its count.
    /// - Throws: the engine's errors for an impossible spec.
    public init(question: String, spec: ModelSpec) throws {
        self.question = question
        self.spec = spec
        let network = try spec.build()
        parameters = network.parameterCount
        var terms: [String] = [], value = 0
        var shape = spec.inputShape, flattened: String?
        for layer in network.layers {
            switch layer {
            case let conv as Conv2D:
                let inC = conv.inChannels / conv.groups, k = conv.kernelSize
                let perFilter = (inC == 1 ? "" : "\(inC)×") + "\(k.height)×\(k.width)"
                let weights = inC * k.height * k.width
                if conv.bias != nil {
                    terms.append(conv.outChannels == 1 ? perFilter + " + 1" : "\(conv.outChannels)×(\(perFilter) + 1)")
                    value += conv.outChannels * (weights + 1)
                } else {
                    terms.append(conv.outChannels == 1 ? perFilter : "\(conv.outChannels)×\(perFilter)")
                    value += conv.outChannels * weights
                }
            case let dense as Dense:
                let inputs = flattened ?? "\(dense.inFeatures)"
                terms.append("\(inputs)×\(dense.outFeatures)" + (dense.bias != nil ? " + \(dense.outFeatures)" : ""))
                value += dense.inFeatures * dense.outFeatures + (dense.bias != nil ? dense.outFeatures : 0)
            default:
                break
            }
            // A dense layer right after flattening a one-channel image counts its inputs as H×W, as the lecture does.
            flattened = layer is Flatten && shape.count == 3 && shape[0] == 1 ? "\(shape[1])×\(shape[2])" : nil
            shape = try layer.outputShape(for: shape)
        }
        formula = terms.joined(separator: " + ")
        formulaValue = value
    }

    /// The lecture's examples: a 200×200 image fully connected to 500 units; the 9×9 image MLP and
    /// the small CNN of the ML-in-Python lecture (biases ignored, as there); one 5×5 filter on 3
    /// channels, and ten of them.
    public static func lectureExamples() throws -> [CountingExample] {
        [
            try CountingExample(
                question: "A 200×200 image fully connected to 500 hidden units",
                spec: ModelSpec(name: "fc200", inputShape: [1, 200, 200], classes: 500, layers: [
                    .flatten(name: "flatten"), .dense(name: "fc", inFeatures: 200 * 200, outFeatures: 500),
                ])),
            try CountingExample(
                question: "9×9 image, MLP with 20 hidden units, 10 outputs (no biases)",
                spec: ModelSpec(name: "mlp9", inputShape: [1, 9, 9], classes: 10, layers: [
                    .flatten(name: "flatten"), .dense(name: "hidden", inFeatures: 81, outFeatures: 20, bias: false),
                    .relu(name: "relu"), .dense(name: "output", inFeatures: 20, outFeatures: 10, bias: false),
                ])),
            try CountingExample(
                question: "9×9 image, CNN: 3 filters 3×3 (stride 3) → 27 features → 20 hidden → 10 (no biases)",
                spec: ModelSpec(name: "cnn9", inputShape: [1, 9, 9], classes: 10, layers: [
                    .conv2D(name: "conv", inChannels: 1, outChannels: 3, kernelSize: 3, stride: 3, bias: false),
                    .flatten(name: "flatten"), .dense(name: "hidden", inFeatures: 27, outFeatures: 20, bias: false),
                    .relu(name: "relu"), .dense(name: "output", inFeatures: 20, outFeatures: 10, bias: false),
                ])),
            try CountingExample(
                question: "One 5×5 filter on a 3-channel (RGB) input, with its bias",
                spec: ModelSpec(name: "filter", inputShape: [3, 32, 32], classes: 1, layers: [
                    .conv2D(name: "conv", inChannels: 3, outChannels: 1, kernelSize: 5),
                ])),
            try CountingExample(
                question: "Ten such filters: a layer of 10 feature maps",
                spec: ModelSpec(name: "filters", inputShape: [3, 32, 32], classes: 10, layers: [
                    .conv2D(name: "conv", inChannels: 3, outChannels: 10, kernelSize: 5),
                ])),
        ]
    }
}

/// A7: the lecture's counting examples, each with its sum written out and the engine's count.
public struct CountingExamplesFigure: Figure, Sendable {
    public var examples: [CountingExample]

    public init(examples: [CountingExample]) { self.examples = examples }

    public var catalogueID: String { "A7" }
    public var title: String { "A7. Counting parameters: the lectures' examples" }
    public var preferredSize: Size { .inches(10, 3.0) }
    public var caption: String {
        "Each network is built from engine layers and its parameters counted by the engine (parameterCount of the built "
            + "layers); the count in the middle column is written out from the same layer sizes."
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let header = ["Network", "Count", "Parameters"]
        let rows = examples.map { [$0.question, $0.formula, groupedThousands($0.parameters)] }
        // Where the examples come from; how they are counted is the caption's (the two do not repeat each other).
        let note = "The 9×9 MLP and CNN are the ML-in-Python lecture's comparison, biases left out as there."
        try drawTable(on: canvas, in: rect, title: title, header: header, rows: rows, rightAligned: [2],
                      emphasised: [], footnote: note, maximumFontSize: 13)
    }
}

/// A7: one model's per-layer table of output shapes, parameters and multiply-adds.
public struct ParameterTable: Figure, Sendable {
    public let summary: ModelSummary
    /// The rows shown: those no deeper than `depth` (deeper ones are folded into their container's row).
    public let rows: [ModelSummary.Row]
    /// The deepest nesting shown (0: top-level layers and whole residual blocks).
    public let depth: Int

    /// The table of a zoo model (`lenet5`, `alexnet`, `vgg16`, `resnet18`, ...).
    /// - Parameter depth: Nesting shown; nil shows as much as fits 48 rows (so ResNet-18's blocks fold).
    /// - Throws: `ConfigurationError` naming the known models for an unknown name.
    public init(model: String, depth: Int? = nil) throws {
        try self.init(summary: ModelSummary(ModelZoo.entry(named: model).spec()), depth: depth)
    }

    /// The table of a summary.
    public init(summary: ModelSummary, depth: Int? = nil) {
        self.summary = summary
        let deepest = summary.rows.map(\.depth).max() ?? 0
        let chosen = depth ?? (0...deepest).last { d in summary.rows.filter { $0.depth <= d }.count <= 48 } ?? 0
        self.depth = chosen
        rows = summary.rows.filter { $0.depth <= chosen }
    }

    public var catalogueID: String { "A7" }
    public var title: String {
        // AlexNet's table is torchvision's one-GPU variant, and the title says so (the footnote says how it differs).
        let variant = summary.model == "alexnet" ? " (torchvision's one-GPU variant)" : ""
        return "A7. \(displayName)\(variant): parameters and multiply-adds per layer"
    }

    /// The model's name as papers write it (`VGG-16`), or its zoo name.
    public var displayName: String {
        ModelZoo.displayName(summary.model)
    }
    public var preferredSize: Size { .inches(8.5, max(4, min(11, 1.4 + 0.2 * Double(rows.count + 2)))) }
    public var caption: String {
        "Per-layer table of \(displayName) for one \(shapeText(summary.inputShape)) input, from the model definition "
            + "(ModelSummary): \(groupedThousands(summary.parameters)) parameters, \(groupedThousands(summary.macs)) multiply-adds."
    }

    /// Where the totals were checked, true for each model: torchvision defines AlexNet, VGG and the
    /// ImageNet ResNets (its AlexNet is the one-GPU 64-192-384-256-256 variant, not Krizhevsky's
    /// two-GPU 96-256-384-384-256); the others are checked against the PyTorch reference kit's models.
    public static func provenance(_ model: String) -> String {
        let torchvision: Set<String> = ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
                                        "resnet18", "resnet34", "resnet50"]
        if model == "alexnet" {
            return "Totals equal those of torchvision's AlexNet (checked by the zoo tests), the one-GPU variant with "
                + "64-192-384-256-256 filters, not the 2012 paper's two-GPU 96-256-384-384-256."
        }
        if torchvision.contains(model) { return "Totals equal those of torchvision's definition (checked by the zoo tests)." }
        return "Totals equal those of the same model built in PyTorch by scripts/reference/models.py (checked by the zoo tests)."
    }

    /// Whether some rows hold layers that are not shown (folded residual blocks).
    public var isFolded: Bool { summary.rows.contains { $0.depth > depth } }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let header = ["Layer", "Kind", "Output shape", "Parameters", "Mult-adds"]
        var cells = rows.map { row in
            [String(repeating: "   ", count: row.depth) + row.name, row.kind, shapeText(row.outputShape),
             row.parameters == 0 ? "–" : groupedThousands(row.parameters), row.macs == 0 ? "–" : groupedThousands(row.macs)]
        }
        cells.append(["Total", "", "", groupedThousands(summary.parameters), groupedThousands(summary.macs)])
        var note = "Input \(shapeText(summary.inputShape)). Multiply-adds count convolutions and dense layers for one image. "
        note += Self.provenance(summary.model)
        if isFolded { note += " Each block is folded into one row with its layers' sums (--depth \(depth + 1) lists them)." }
        if rows.contains(where: { $0.depth > 0 }) { note += " Indented rows are inside the row above; totals count each layer once." }
        try drawTable(on: canvas, in: rect, title: title, header: header, rows: cells, rightAligned: [2, 3, 4],
                      emphasised: [cells.count - 1], footnote: note, maximumFontSize: 11)
    }
}


/// `6×28×28`, or a vector's length with its thousands grouped (`9,216`).
fileprivate func shapeText(_ shape: [Int]) -> String {
    shape.count == 1 ? groupedThousands(shape[0]) : sizeText(shape)
}

/// Draws a titled table: a bold header, striped rows, chosen rows in bold, a wrapped footnote.
/// The font is the largest (up to `maximumFontSize`) at which every row and column fits `rect`.
fileprivate func drawTable(on canvas: Canvas, in rect: Rect, title: String, header: [String], rows: [[String]],
               rightAligned: Set<Int>, emphasised: Set<Int>, footnote: String, maximumFontSize: Double) throws {
    let style = canvas.style
    let area = rect.insetBy(dx: style.margin, dy: style.margin)
    let titleFont = Font(size: min(style.titleFont.size * 1.1, area.width / 40), bold: true)
    let titleHeight = canvas.measure(title, font: titleFont).height
    canvas.fittedText(title, in: Rect(x: area.minX, y: area.minY, width: area.width, height: titleHeight),
                      font: titleFont, horizontal: .center, vertical: .top)
    let noteFont = Font(size: max(6, min(style.tickFont.size, area.width / 75)), italic: true)
    let noteLines = canvas.balancedWrapped(footnote, width: area.width, font: noteFont)
    let noteHeight = canvas.measure(noteLines.joined(separator: "\n"), font: noteFont).height
    let body = area.inset(top: titleHeight + 8, bottom: noteHeight + 8)

    // Size: rows share the height; columns take their widest text plus a gap.
    let lineCount = Double(rows.count + 1)
    var size = min(maximumFontSize, body.height / lineCount / 1.45)
    let probe = Font(size: 100)
    let widths100 = header.indices.map { c in
        ([header[c]] + rows.map { $0[c] }).map { canvas.measure($0, font: Font(size: 100, bold: true)).width }.max() ?? 0
    }
    let gap100 = canvas.measure("    ", font: probe).width
    let needed100 = widths100.reduce(0, +) + gap100 * Double(header.count - 1)
    size = max(4, min(size, area.width / needed100 * 100))
    let rowHeight = min(body.height / lineCount, size * 1.6)
    let scale = size / 100
    let widths = widths100.map { $0 * scale }, gap = gap100 * scale
    let tableWidth = widths.reduce(0, +) + gap * Double(header.count - 1)
    let left = area.center.x - tableWidth / 2
    var xs: [Double] = []
    var x = left
    for w in widths { xs.append(x); x += w + gap }

    func drawRow(_ texts: [String], at y: Double, bold: Bool) {
        for (c, text) in texts.enumerated() {
            let anchor = rightAligned.contains(c) ? xs[c] + widths[c] : xs[c]
            canvas.text(text, at: Point(x: anchor, y: y + rowHeight / 2), font: Font(size: size, bold: bold),
                        horizontal: rightAligned.contains(c) ? .right : .left, vertical: .middle)
        }
    }
    // The table and its note right under it, as one block centred in the space below the title (no empty band between them).
    let noteGap = 10.0
    let block = rowHeight * lineCount + noteGap + noteHeight
    var y = body.minY + max(0, (area.maxY - body.minY - block) / 2)
    drawRow(header, at: y, bold: true)
    y += rowHeight
    canvas.line(from: Point(x: left - 4, y: y), to: Point(x: left + tableWidth + 4, y: y), color: style.foreground, lineWidth: 1)
    for (r, row) in rows.enumerated() {
        if emphasised.contains(r) {
            canvas.line(from: Point(x: left - 4, y: y), to: Point(x: left + tableWidth + 4, y: y), color: style.foreground, lineWidth: 0.8)
        } else if r % 2 == 1 {
            canvas.fill(Rect(x: left - 4, y: y, width: tableWidth + 8, height: rowHeight), color: RGBColor(hex: 0xF2F4F7))
        }
        drawRow(row, at: y, bold: emphasised.contains(r))
        y += rowHeight
    }
    canvas.text(noteLines.joined(separator: "\n"), at: Point(x: area.minX, y: min(y + noteGap, area.maxY - noteHeight)), font: noteFont,
                color: style.mutedForeground, horizontal: .left, vertical: .top)
}
