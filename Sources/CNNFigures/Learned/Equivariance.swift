// C5. Translation equivariance: shift the input and the feature maps shift with it. A convolution
// computes the same function at every position, so conv(shift(x)) = shift(conv(x)) wherever the
// receptive field sees the same pixels in both images; only the borders (zero padding, the pixels
// shifted in) differ. The figure shows both inputs, their maps, and the difference of the shifted
// original map and the shifted input's map, with the largest difference away from the borders.
import CNNEngine
import CNNPlot
import CNNRuns
import Foundation

/// An input, a shifted copy, and one layer's maps of both, with their difference.
public struct EquivarianceFigure: Figure {
    /// The model's name, for the title.
    public let model: String
    /// The layer compared (`C1`).
    public let layer: String
    /// The input and its shifted copy.
    public let input: InputImage
    public let shiftedInput: InputImage
    /// The shift in input pixels (right, down) and in map units (divided by the layer's stride).
    public let shift: Pair
    public let mapShift: Pair
    /// The layer's receptive field.
    public let field: ReceptiveField
    /// The layer's maps for the input and for the shifted input.
    public let original: FeatureMapStack
    public let shifted: FeatureMapStack
    /// Per channel: the original map moved by `mapShift`, minus the shifted input's map (NaN where the moved map has no value).
    public let differences: [[Float]]
    /// The map units whose receptive field sees the same pixels in both images (no padding, no shifted-in border).
    public let interiorRows: Range<Int>
    public let interiorColumns: Range<Int>
    /// The largest |difference| over the interior, all channels.
    public let maximumInteriorDifference: Float
    /// The largest |activation| of the original maps, for scale.
    public let maximumActivation: Float
    /// Channels drawn.
    public let shownChannels: [Int]

    /// Runs `input` and its copy shifted `dx` pixels right and `dy` down through `model` and compares `layer`'s maps.
    /// - Parameters:
    ///   - layer: a top-level convolution or pooling layer; nil takes the first convolution.
    ///   - channels: channels to draw; nil takes the first 6.
    /// - Throws: `LearnedFigureError` for an unknown layer, a shift that is not a multiple of the layer's
    ///   stride, or one that leaves no interior.
    public init(_ model: TrainedModel, input: InputImage, dx: Int = 3, dy: Int = 2, layer: String? = nil,
                channels: [Int]? = nil) throws {
        let shift = Pair(dy, dx)
        let name = layer ?? model.network.layers.first { $0 is Conv2D }?.name ?? ""
        _ = try model.layer(named: name, kinds: featureMapKinds, what: "convolution or pooling layer")
        let field = try ReceptiveField.of(layer: name, in: model)
        guard shift.height % field.jump.height == 0, shift.width % field.jump.width == 0 else {
            throw LearnedFigureError("--shift \(shift.width),\(shift.height): layer \(name) moves \(field.jump.width),\(field.jump.height) input pixels per unit; use a multiple of that")
        }
        let moved = input.shifted(dx: shift.width, dy: shift.height)
        func maps(_ image: InputImage) throws -> FeatureMapStack {
            let (stacks, _) = try featureMaps(of: model, input: image.tensor(model.normalization))
            guard let stack = stacks.first(where: { $0.layer == name }) else {
                throw LearnedFigureError("\(model.path): layer \"\(name)\" has no feature maps")
            }
            return stack
        }
        let a = try maps(input), b = try maps(moved)
        let mapShift = Pair(shift.height / field.jump.height, shift.width / field.jump.width)
        let (h, w) = (a.height, a.width)

        // Units whose field lies inside the image and inside the part of the shifted image that holds moved pixels.
        let rowLimits = (max(0, shift.height), min(input.height, input.height + shift.height))
        let columnLimits = (max(0, shift.width), min(input.width, input.width + shift.width))
        func inside(_ unit: Int, _ start: Int, _ jump: Int, _ size: Int, _ limits: (Int, Int)) -> Bool {
            let first = start + unit * jump
            return first >= limits.0 && first + size <= limits.1
        }
        let rows = (0..<h).filter { inside($0, field.start.height, field.jump.height, field.size.height, rowLimits) }
        let columns = (0..<w).filter { inside($0, field.start.width, field.jump.width, field.size.width, columnLimits) }
        guard let r0 = rows.first, let r1 = rows.last, let c0 = columns.first, let c1 = columns.last else {
            throw LearnedFigureError("--shift \(shift.width),\(shift.height) leaves no unit of \(name) that sees the same pixels in both images; use a smaller shift")
        }

        var differences: [[Float]] = []
        var worst: Float = 0
        for c in 0..<a.channels {
            let mapA = a.channel(c), mapB = b.channel(c)
            var d = [Float](repeating: .nan, count: h * w)
            for y in 0..<h {
                for x in 0..<w {
                    let sy = y - mapShift.height, sx = x - mapShift.width
                    guard sy >= 0, sy < h, sx >= 0, sx < w else { continue }
                    d[y * w + x] = mapA[sy * w + sx] - mapB[y * w + x]
                    if (r0...r1).contains(y) && (c0...c1).contains(x) { worst = max(worst, abs(d[y * w + x])) }
                }
            }
            differences.append(d)
        }
        let shown = channels ?? Array(0..<min(6, a.channels))
        if let bad = shown.first(where: { $0 < 0 || $0 >= a.channels }) {
            throw LearnedFigureError("--channels: layer \(name) has channels 0...\(a.channels - 1), got \(bad)")
        }
        self.model = model.displayName; self.layer = name
        self.input = input; self.shiftedInput = moved; self.shift = shift; self.mapShift = mapShift
        self.field = field; self.original = a; self.shifted = b; self.differences = differences
        interiorRows = r0..<(r1 + 1); interiorColumns = c0..<(c1 + 1)
        maximumInteriorDifference = worst
        maximumActivation = a.values.map(abs).max() ?? 0
        shownChannels = shown
    }

    public var catalogueID: String { "C5" }

    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        "\(model): move the input \(movedText(right: shift.width, down: shift.height)) and the \(layer) maps move with it"
    }

    /// The largest interior difference, as the caption writes it.
    public var differenceText: String {
        maximumInteriorDifference == 0 ? "exactly 0" : String(format: "%.2g", Double(maximumInteriorDifference))
    }

    public var caption: String {
        "Translation equivariance of \(layer) in \(model) for \(input.source): away from the borders, the maps of the shifted input "
            + "equal the shifted maps, as the bottom row of differences shows. The dashed box holds the units that see the same "
            + "pixels in both images; outside it, one of the two maps sees zero padding."
    }

    public var preferredSize: Size { .inches(min(10, 2.4 + 1.25 * Double(shownChannels.count)), 4.9) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let note = "ring: each map's strongest unit; differences blue < 0 < red on the maps' scale; "
            + "max |difference| inside the dashed box = \(differenceText) (activations reach \(formatNumber(Double(maximumActivation), maximumFractionDigits: 2)))"
        let body = canvas.learnedPage(rect, title: title, note: note)
        let smallFont = style.tickFont
        let rowLabels = ["\(layer) of the input", "\(layer) of the\nshifted input", "its map shifted\nminus the map of\nthe shifted input\n(grey: no value)"]
        let labelWidth = (rowLabels.flatMap { $0.split(separator: "\n") }.map { canvas.measure(String($0), font: smallFont).width }.max() ?? 0) + style.labelGap
        let headerHeight = canvas.measure("Hg", font: smallFont).height + 3
        let columns = shownChannels.count + 1
        let gap = 8.0
        let imageColumn = 1.0
        let cell = min((body.width - labelWidth - Double(columns) * gap) / (Double(columns - 1) + imageColumn),
                       (body.height - 3 * headerHeight - 2 * gap) / 3)
        let inputSide = cell * imageColumn
        let gridWidth = labelWidth + inputSide + Double(columns) * gap + Double(columns - 1) * cell
        let left = body.minX + (body.width - gridWidth) / 2
        let top = body.minY + (body.height - (3 * (cell + headerHeight) + 2 * gap)) / 2
        let mapLeft = left + labelWidth + inputSide + 2 * gap
        let border = RGBColor(hex: 0x9A9A9A)

        // The two inputs in the first column (rows 1 and 2), under their labels.
        for (row, image) in [input, shiftedInput].enumerated() {
            let y = top + Double(row) * (cell + headerHeight + gap)
            let r = Rect(x: left + labelWidth + gap, y: y + headerHeight, width: inputSide, height: inputSide).fitted(aspectRatio: Double(image.width) / Double(image.height))
            canvas.fittedText(row == 0 ? "input" : "moved \(movedText(right: shift.width, down: shift.height, arrows: true))",
                              in: Rect(x: r.minX - gap / 2, y: y, width: r.width + gap, height: headerHeight), font: smallFont, vertical: .top)
            let values = image.unitValues, plane = image.height * image.width
            if image.channels == 3 {
                canvas.rgbImage(red: Array(values[0..<plane]), green: Array(values[plane..<2 * plane]), blue: Array(values[2 * plane..<3 * plane]),
                                width: image.width, height: image.height, in: r, range: ValueRange(0, 1), border: border)
            } else {
                canvas.greyDatasetImage(values, width: image.width, height: image.height, in: r, border: border)
            }
        }
        let differenceScale = Double(maximumActivation > 0 ? maximumActivation : 1)
        for row in 0..<3 {
            let y = top + Double(row) * (cell + headerHeight + gap) + headerHeight
            canvas.fittedText(rowLabels[row], in: Rect(x: left, y: y, width: labelWidth, height: cell), font: smallFont,
                              horizontal: .left, vertical: .middle)
        }
        for (k, c) in shownChannels.enumerated() {
            let x = mapLeft + Double(k) * (cell + gap)
            let a = original.channel(c), b = shifted.channel(c)
            let range = ValueRange.common([a, b])
            for row in 0..<3 {
                let y = top + Double(row) * (cell + headerHeight + gap)
                if row == 0 {
                    canvas.fittedText("channel \(c)", in: Rect(x: x - gap / 2, y: y, width: cell + gap, height: headerHeight),
                                      font: smallFont, vertical: .top)
                }
                let r = Rect(x: x, y: y + headerHeight, width: cell, height: cell)
                let (h, w) = (original.height, original.width)
                switch row {
                case 0, 1:
                    let map = row == 0 ? a : b
                    canvas.image(map, width: w, height: h, in: r, colorMap: .viridis, range: range, border: border)
                    // A ring on the strongest unit, to follow it from one image to the other.
                    if let at = map.indices.max(by: { map[$0] < map[$1] }) {
                        let unit = Point(x: r.minX + (Double(at % w) + 0.5) * r.width / Double(w),
                                         y: r.minY + (Double(at / w) + 0.5) * r.height / Double(h))
                        canvas.circle(center: unit, radius: max(2.5, r.width / Double(w) * 1.2), stroke: style.highlightColor, lineWidth: 1.2)
                    }
                default:
                    canvas.image(differences[c], width: w, height: h, in: r, colorMap: .diverging,
                                 range: ValueRange(-differenceScale, differenceScale), border: border)
                    let sx = r.width / Double(w), sy = r.height / Double(h)
                    canvas.box(Rect(x: r.minX + Double(interiorColumns.lowerBound) * sx, y: r.minY + Double(interiorRows.lowerBound) * sy,
                                    width: Double(interiorColumns.count) * sx, height: Double(interiorRows.count) * sy),
                               stroke: style.foreground, lineWidth: 1, dash: .dashed)
                }
            }
        }
    }
}
