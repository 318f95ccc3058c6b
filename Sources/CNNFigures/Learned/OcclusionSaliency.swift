// C6. Occlusion saliency (Zeiler and Fergus 2014, section 4.2): where a network looks. A square patch
// is slid over the input; at each position the patched copy is run through the stored network and
// the drop of the true class's softmax probability is recorded. A pixel's value is the mean drop over
// the patch positions that cover it, drawn over the input: red where hiding the pixels hurts the
// prediction, blue where it helps, white where the network does not care.
import CNNData
import CNNEngine
import CNNModels
import CNNPlot
import CNNRuns
import Foundation

/// Occlusion maps of a few test images, each over its input, with the true and predicted classes.
public struct OcclusionSaliency: Figure {
    /// One image's map.
    public struct Item: Sendable, Equatable {
        /// The input as the model saw it.
        public var input: InputImage
        /// The labelled class (nil for a PNG without a label).
        public var trueLabel: String?
        /// The class whose probability drop is measured: the true class, else the predicted one.
        public var target: Int
        public var targetLabel: String
        /// The predicted class and its probability on the unoccluded input.
        public var predictedLabel: String
        public var predictedProbability: Double
        /// The target's probability on the unoccluded input.
        public var baseProbability: Double
        /// H x W mean probability drops, row-major.
        public var map: [Float]
        /// The largest drop at one patch position (a pixel's map value is a mean, never above it).
        public var largestDrop: Double
    }

    /// The model's name as papers write it, and as its file names it ("lenet5 (MNIST)").
    public let modelName: String
    public let modelTitle: String
    public let items: [Item]
    /// The patch's side and the step between positions, in input pixels.
    public let patch: Int
    public let stride: Int
    /// What the patch is filled with ("black", "grey"), and its byte value.
    public let fillName: String
    public let fillByte: UInt8

    /// The byte a patch is filled with.
    public enum Fill: String, Sendable, CaseIterable {
        /// 0: MNIST's background, so a patch over the background changes nothing.
        case black
        /// 128: mid-grey.
        case grey
        public var byte: UInt8 { self == .black ? 0 : 128 }
    }

    /// Occludes each of `inputs` (with its labelled class, if any) and keeps the maps.
    /// - Throws: `LearnedFigureError` for a patch larger than the input or a model whose output is not one score per class.
    public init(_ model: TrainedModel, inputs: [(image: InputImage, label: Int?)], patch: Int = 8, stride: Int = 2,
                fill: Fill = .black) throws {
        let (h, w) = (model.inputShape[1], model.inputShape[2])
        guard patch >= 1, patch <= min(h, w) else {
            throw LearnedFigureError("--patch must be between 1 and \(min(h, w)) (the model's \(w)×\(h) input), got \(patch)")
        }
        guard stride >= 1, stride <= patch else { throw LearnedFigureError("--stride must be between 1 and the patch (\(patch)), got \(stride)") }
        guard !inputs.isEmpty else { throw LearnedFigureError("no images to occlude") }
        let normalization = model.normalization
        let channels = model.inputShape[0]
        let scale = try normalization.scale(channels: channels), offset = try normalization.offset(channels: channels)
        let fillValues = (0..<channels).map { Float(fill.byte) * scale[$0] + offset[$0] }
        let names = model.classNames
        items = try inputs.map { entry in
            let tensor = entry.image.tensor(normalization)
            let base = try Self.probabilities(model.network, tensor, classes: model.spec.classes, file: model.path)
            let predicted = base.indices.max { base[$0] < base[$1] }!
            let target = entry.label ?? predicted
            let result = try Self.occlusionMap(model.network, input: tensor, fill: fillValues, target: target,
                                               patch: patch, stride: stride)
            return Item(input: entry.image, trueLabel: entry.label.map { names[$0] }, target: target, targetLabel: names[target],
                        predictedLabel: names[predicted], predictedProbability: base[predicted], baseProbability: base[target],
                        map: result.map, largestDrop: result.drops.max() ?? 0)
        }
        modelName = ModelZoo.displayName(model.contents.model)
        modelTitle = model.displayName
        self.patch = patch; self.stride = stride
        fillName = fill.rawValue; fillByte = fill.byte
    }

    /// The indices of the first `count` test images of `dataset` that `model` classifies wrongly, leaving out `excluding`.
    public static func firstMistakes(_ model: TrainedModel, dataset: Dataset, count: Int, excluding: [Int] = [],
                                     batchSize: Int = 250) throws -> [Int] {
        guard count > 0 else { return [] }
        let data = try model.inputs(dataset)
        let skip = Set(excluding)
        var found: [Int] = []
        var start = 0
        while start < data.count && found.count < count {
            let n = min(batchSize, data.count - start)
            let logits = try model.network.forward(try model.batch(data, range: start..<(start + n)))
            let k = logits.count / n
            for b in 0..<n where found.count < count && !skip.contains(start + b) {
                if argmax(logits.pointer + b * k, count: k) != Int(data.labels[start + b]) { found.append(start + b) }
            }
            start += n
        }
        return found
    }

    /// The softmax probabilities of one input [1, C, H, W].
    static func probabilities(_ network: Sequential, _ input: Tensor, classes: Int, file: String) throws -> [Double] {
        let logits = try network.forward(input).values
        guard logits.count == classes else {
            throw LearnedFigureError("\(file): the network's output has \(logits.count) values, not one per class (\(classes))")
        }
        return softmax(logits[...])
    }

    /// The top-left corners along an axis of `extent` pixels: 0, stride, ... and always extent - patch, so every pixel is covered.
    static func positions(extent: Int, patch: Int, stride: Int) -> [Int] {
        var starts = Array(Swift.stride(from: 0, through: extent - patch, by: stride))
        if starts.last != extent - patch { starts.append(extent - patch) }
        return starts
    }

    /// Slides a `patch` x `patch` square of `fill` (one normalised value per channel) over `input` [1, C, H, W].
    ///
    /// drop(position) = p(target | input) − p(target | input with the patch at position);
    /// map[pixel] = the mean of drop over the positions whose patch covers the pixel.
    /// - Returns: the map (H x W), and the drop at each position, row by row.
    public static func occlusionMap(_ network: Sequential, input: Tensor, fill: [Float], target: Int, patch: Int, stride: Int,
                                    batchSize: Int = 128) throws -> (map: [Float], drops: [Double]) {
        let (c, h, w) = (input.shape[1], input.shape[2], input.shape[3]), plane = h * w
        precondition(input.shape[0] == 1 && fill.count == c, "occlusionMap: one input and one fill value per channel")
        let base = softmax(try network.forward(input).values[...])[target]
        let rows = positions(extent: h, patch: patch, stride: stride), columns = positions(extent: w, patch: patch, stride: stride)
        let corners = rows.flatMap { y in columns.map { x in (y, x) } }
        var drops: [Double] = []
        drops.reserveCapacity(corners.count)
        let source = input.values
        var start = 0
        while start < corners.count {
            let n = min(batchSize, corners.count - start)
            let batch = Tensor(shape: [n, c, h, w])
            let p = batch.pointer
            for b in 0..<n {
                let (top, left) = corners[start + b]
                for ch in 0..<c {
                    let offset = (b * c + ch) * plane
                    for i in 0..<plane { p[offset + i] = source[ch * plane + i] }
                    for y in top..<(top + patch) {
                        for x in left..<(left + patch) { p[offset + y * w + x] = fill[ch] }
                    }
                }
            }
            let logits = try network.forward(batch)
            let k = logits.count / n
            let values = logits.values
            for b in 0..<n { drops.append(base - softmax(values[(b * k)..<((b + 1) * k)])[target]) }
            start += n
        }
        var sum = [Double](repeating: 0, count: plane), count = [Int](repeating: 0, count: plane)
        for ((top, left), drop) in zip(corners, drops) {
            for y in top..<(top + patch) {
                for x in left..<(left + patch) { sum[y * w + x] += drop; count[y * w + x] += 1 }
            }
        }
        return (zip(sum, count).map { Float($0 / Double($1)) }, drops)
    }

    public var catalogueID: String { "C6" }

    public var title: String { "C6. Where \(modelName) looks: occlusion saliency" }

    /// The symmetric range the maps are drawn through (one for all, so they compare).
    var range: ValueRange {
        let m = items.flatMap(\.map).map { abs(Double($0)) }.max() ?? 0
        return ValueRange(-max(m, 1e-6), max(m, 1e-6))
    }

    var fillText: String { "\(fillName) (byte \(fillByte))" }

    public var caption: String {
        let images = items.map(\.input.source)
        let correct = items.filter { $0.trueLabel != nil && $0.trueLabel == $0.predictedLabel }.count
        let labelled = items.filter { $0.trueLabel != nil }.count
        return "Occlusion saliency of \(modelTitle) for \(counted(images.count, "image")) (\(Self.listed(images))): a patch of \(patch)×\(patch) pixels, "
            + "\(fillText), slid in steps of \(stride) pixels over the \(items.first.map { "\($0.input.width)×\($0.input.height)" } ?? "") input, "
            + "each pixel coloured by the mean drop of the true class's softmax probability over the patches that cover it "
            + "(red: hiding it lowers the probability; blue: raises it; one scale for all, ±\(formatNumber(range.upper, maximumFractionDigits: 2)), larger values saturate; the largest drop at one patch position is printed under each image). "
            + (labelled > 0 ? "\(correct) of \(counted(labelled, "labelled image")) \(correct == 1 ? "is" : "are") classified correctly. " : "")
            + "From forward passes of the stored network; nothing was retrained."
    }

    public var preferredSize: Size {
        let rows = (items.count + columns - 1) / columns
        // Four (input, map) pairs of about 0.95 in across a 9 in page, two caption lines under each.
        return .inches(9, min(11, 1.0 + Double(rows) * 1.55))
    }

    var columns: Int { min(4, max(1, items.count)) }

    /// Image names without their shared start repeated: "MNIST test images 0 (7), 1 (2), 2 (1)" for
    /// "MNIST test image 0 (7)", "MNIST test image 1 (2)", ...
    static func listed(_ names: [String]) -> String {
        guard names.count > 1, let first = names.first else { return names.joined(separator: "; ") }
        var prefix = first
        for name in names.dropFirst() { while !name.hasPrefix(prefix) { prefix.removeLast() } }
        // Cut at the last space, so that the shared start is whole words ("MNIST test image ").
        guard let space = prefix.lastIndex(of: " ") else { return names.joined(separator: "; ") }
        prefix = String(prefix[...space])
        let rest = names.map { String($0.dropFirst(prefix.count)) }
        return prefix.trimmingCharacters(in: .whitespaces) + "s " + rest.joined(separator: ", ")
    }

    /// The lines under one image: its class and the prediction, the prediction's probability, the strongest drop.
    func label(_ item: Item) -> [String] {
        let truth = item.trueLabel.map { "true \($0)" } ?? "no label"
        let verdict = item.trueLabel == nil ? "" : (item.trueLabel == item.predictedLabel ? " ✓" : " ✗")
        let probability = probabilityText(item.predictedProbability)
        let p = "p(\(item.predictedLabel)) " + (probability.hasPrefix(">") ? probability : "= " + probability)
        // Always two decimals, as the probabilities beside them ("0.80", not "0.8").
        let drop = item.largestDrop < 0.005 ? "< 0.01" : String(format: "%.2f", item.largestDrop)
        // Three short lines, so the type stays at the slide's size whatever the numbers (a confident
        // "> 99.9%" is short, an untrained "= 11.1%" with "< 0.01" is not).
        return ["\(truth) · predicted \(item.predictedLabel)\(verdict)", p, "largest drop \(drop)"]
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let note = "\(patch)×\(patch) \(fillName) patch, step \(stride) px; colour: mean drop of p(true class) when the pixel is hidden"
        let body = canvas.learnedPage(rect, title: title, note: note)
        // A colour bar on the right, then a grid of (input, map) pairs.
        let range = self.range
        let barWidth = canvas.colorBarWidth(for: range, label: "drop of p(true class)")
        let grid = body.inset(right: barWidth + style.labelGap * 2)
        let columns = self.columns, rows = (items.count + columns - 1) / columns
        let captionFont = style.tickFont
        let lineHeight = canvas.measure("Hg", font: captionFont).height
        let captionLines = Double(items.map { label($0).count }.max() ?? 1)
        let captionHeight = captionLines * lineHeight + 4
        let pairGap = style.labelGap * 3, rowGap = style.labelGap * 2
        let cellWidth = (grid.width - Double(columns - 1) * pairGap) / Double(columns)
        let tile = min((cellWidth - 4) / 2, (grid.height - Double(rows - 1) * rowGap) / Double(rows) - captionHeight)
        let allCaptions = items.flatMap(label)
        let size = canvas.fittedFontSize(for: allCaptions, in: Size(width: cellWidth, height: lineHeight), font: captionFont)
        let usedHeight = Double(rows) * (tile + captionHeight) + Double(rows - 1) * rowGap
        var top = grid.minY + max(0, (grid.height - usedHeight) / 2)
        for row in 0..<rows {
            for column in 0..<columns {
                let index = row * columns + column
                guard index < items.count else { break }
                let item = items[index]
                let left = grid.minX + Double(column) * (cellWidth + pairGap) + (cellWidth - 2 * tile - 4) / 2
                let inputRect = Rect(x: left, y: top, width: tile, height: tile)
                let mapRect = Rect(x: left + tile + 4, y: top, width: tile, height: tile)
                drawInput(item.input, on: canvas, in: inputRect)
                drawOverlay(item, range: range, on: canvas, in: mapRect)
                for (k, line) in label(item).enumerated() {
                    canvas.text(line, at: Point(x: grid.minX + Double(column) * (cellWidth + pairGap) + cellWidth / 2,
                                                y: top + tile + 3 + Double(k) * lineHeight),
                                font: captionFont.withSize(size), color: k == 0 && item.trueLabel != nil && item.trueLabel != item.predictedLabel
                                    ? style.highlightColor : nil, horizontal: .center, vertical: .top)
                }
            }
            top += tile + captionHeight + rowGap
        }
        let gridTop = grid.minY + max(0, (grid.height - usedHeight) / 2)
        canvas.colorBar(.diverging, range: range, in: Rect(x: body.maxX - barWidth, y: gridTop, width: barWidth,
                                                            height: max(usedHeight - captionHeight, 60)), label: "drop of p(true class)")
    }

    func drawInput(_ input: InputImage, on canvas: Canvas, in rect: Rect) {
        let plane = input.height * input.width, values = input.unitValues
        if input.channels == 3 {
            canvas.rgbImage(red: Array(values[0..<plane]), green: Array(values[plane..<2 * plane]), blue: Array(values[2 * plane..<3 * plane]),
                            width: input.width, height: input.height, in: rect, range: ValueRange(0, 1), border: RGBColor(hex: 0x9A9A9A))
        } else {
            canvas.greyDatasetImage(Array(values[0..<plane]), width: input.width, height: input.height, in: rect,
                                    border: RGBColor(hex: 0x9A9A9A))
        }
    }

    /// The map through the diverging colour map, blended with the input's brightness so the digit shows through.
    func drawOverlay(_ item: Item, range: ValueRange, on canvas: Canvas, in rect: Rect) {
        let input = item.input, plane = input.height * input.width, values = input.unitValues
        var red = [Float](repeating: 0, count: plane), green = red, blue = red
        for i in 0..<plane {
            let brightness = input.channels == 3 ? (values[i] + values[plane + i] + values[2 * plane + i]) / 3 : values[i]
            let color = ColorMap.diverging.color(at: range.normalized(Double(item.map[i])))
            // 60% map, 40% the input (dark strokes on light), so the map stays readable where the input is black.
            let shade = 0.4 * Double(1 - brightness * 0.75)
            red[i] = Float(0.6 * color.red + shade); green[i] = Float(0.6 * color.green + shade); blue[i] = Float(0.6 * color.blue + shade)
        }
        canvas.rgbImage(red: red, green: green, blue: blue, width: input.width, height: input.height, in: rect,
                        range: ValueRange(0, 1), border: RGBColor(hex: 0x9A9A9A))
    }
}
