// C3. Feature maps (Zeiler and Fergus 2014; "hierarchical feature learning"): one input, then the
// activations of every channel of every convolution and pooling layer, layer by layer, each labelled
// as the lectures label LeNet-5's layers ("C1 6@28×28"). Computed by a forward pass of the stored
// network in evaluation mode.
import CNNEngine
import CNNPlot
import CNNRuns
import Foundation

/// The input and every convolution / pooling layer's maps for it, one row group per layer.
public struct FeatureMapsFigure: Figure {
    /// The model's name, for the title.
    public let model: String
    /// The input as the model saw it.
    public let input: InputImage
    /// Its normalised values (what the first layer read).
    public let inputStack: FeatureMapStack
    /// One stack per convolution, pooling layer or block, in layer order (after each one's activation).
    public let layers: [FeatureMapStack]
    /// The class the model predicts, and its softmax probability.
    public let prediction: (label: String, probability: Double)?
    /// Channels drawn per layer at most (the rest are left out and the label says so).
    public let maximumChannels: Int

    /// Runs `input` through `model` and keeps every layer's maps.
    public init(_ model: TrainedModel, input: InputImage, maximumChannels: Int = 32) throws {
        let tensor = input.tensor(model.normalization)
        let shape = Array(tensor.shape.dropFirst())
        inputStack = FeatureMapStack(layer: "input", kind: "Input", foldedLayers: [], shape: shape, values: tensor.values)
        precondition(tensor.shape[0] == 1, "FeatureMapsFigure: one input image")
        let (stacks, logits) = try featureMaps(of: model, input: tensor)
        guard !stacks.isEmpty else {
            throw LearnedFigureError("\(model.path): \(model.contents.model) has no convolution or pooling layers to show")
        }
        self.model = model.displayName; self.input = input; self.layers = stacks
        self.maximumChannels = max(1, maximumChannels)
        if logits.count == model.spec.classes, !logits.isEmpty {
            let top = argmax(logits), m = logits.max()!
            let total = logits.reduce(0.0) { $0 + exp(Double($1 - m)) }
            prediction = (model.classNames[top], 1 / total)
        } else {
            prediction = nil
        }
    }

    public var catalogueID: String { "C3" }

    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String { "\(model): feature maps of every convolution and pooling layer for \(input.source)" }

    public var caption: String {
        var text = "The activations of every channel of every convolution and pooling layer of \(model) for \(input.source), "
            + "from a forward pass of the stored network; nothing was retrained. The colour key is printed under the title."
        if let adjustment = input.adjustment { text += " Input \(adjustment)." }
        return text
    }

    /// A layer's label: "C1 6@28×28", then "after relu1" on a second line.
    static func label(_ stack: FeatureMapStack) -> String {
        stack.foldedLayers.isEmpty ? stack.label : "\(stack.label)\nafter \(stack.foldedLayers.joined(separator: ", "))"
    }

    /// Rows of images each layer group takes, with `columns` images per row.
    static func rows(_ channels: Int, columns: Int) -> Int { (channels + columns - 1) / columns }

    public var preferredSize: Size {
        .inches(9, min(10, max(4.5, 1.3 + 1.0 * Double(1 + layers.count) + 0.35 * Double(layers.filter { min($0.channels, maximumChannels) > 8 }.count))))
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        var note = "each map after its layer's activation; viridis, one scale per layer (dark: low, yellow: high)"
        if let prediction {
            note += "; predicted \"\(prediction.label)\" (\(probabilityText(prediction.probability)))"
        }
        if let adjustment = input.adjustment { note += "; input \(adjustment)" }
        let body = canvas.learnedPage(rect, title: title, note: note)

        // A label column at the left, then up to `columns` maps per row; every group's cells are the same size.
        let groups = [inputStack] + layers
        let labelFont = style.labelFont
        let labels = ["input \(inputStack.channels)@\(inputStack.height)×\(inputStack.width)"] + layers.map { Self.label($0) }
        let labelWidth = min(body.width * 0.3, (labels.map { canvas.measure($0, font: labelFont).width }.max() ?? 0) + style.labelGap * 2)
        let groupGap = style.labelGap * 2.2, cellGap = 3.0
        let gridWidth = body.width - labelWidth
        // The number of maps per row that makes them largest on this page.
        let widest = groups.map { min($0.channels, maximumChannels) }.max() ?? 1
        var best = (columns: 1, cell: 0.0, rows: [Int]())
        for columns in 1...max(1, widest) {
            let rowsPerGroup = groups.map { Self.rows(min($0.channels, maximumChannels), columns: columns) }
            let totalRows = Double(rowsPerGroup.reduce(0, +))
            let cell = min((gridWidth - Double(columns - 1) * cellGap) / Double(columns),
                           (body.height - Double(groups.count - 1) * groupGap - totalRows * cellGap) / totalRows)
            if cell > best.cell { best = (columns, cell, rowsPerGroup) }
        }
        let (columns, cell, rowsPerGroup) = best
        let totalRows = Double(rowsPerGroup.reduce(0, +))
        var y = body.minY + max(0, (body.height - (totalRows * (cell + cellGap) + Double(groups.count - 1) * groupGap)) / 2)
        for (g, stack) in groups.enumerated() {
            let shownChannels = min(stack.channels, maximumChannels)
            let range = ValueRange.minMax(of: stack.values[0..<(shownChannels * stack.height * stack.width)])
            let groupHeight = Double(rowsPerGroup[g]) * (cell + cellGap) - cellGap
            var label = labels[g]
            if shownChannels < stack.channels { label += "\n(first \(shownChannels))" }
            canvas.fittedText(label, in: Rect(x: body.minX, y: y, width: labelWidth - style.labelGap, height: groupHeight),
                              font: labelFont, horizontal: .left, vertical: .middle, minimumSize: 6)
            for c in 0..<shownChannels {
                let r = Rect(x: body.minX + labelWidth + Double(c % columns) * (cell + cellGap),
                             y: y + Double(c / columns) * (cell + cellGap), width: cell, height: cell)
                let values = stack.channel(c)
                if g == 0 && stack.channels == 3 {
                    // The colour input as a photograph, the normalised planes stretched together.
                    if c == 0 {
                        let plane = stack.height * stack.width
                        canvas.rgbImage(red: Array(stack.values[0..<plane]), green: Array(stack.values[plane..<2 * plane]),
                                        blue: Array(stack.values[2 * plane..<3 * plane]), width: stack.width,
                                        height: stack.height, in: r, border: RGBColor(hex: 0x9A9A9A))
                    }
                    continue
                }
                if g == 0 {
                    // A grey input as every figure draws a data-set image: dark strokes on a light ground,
                    // its normalised values flipped within their range.
                    let flip = Float(range.lower + range.upper)
                    canvas.image(values.map { flip - $0 }, width: stack.width, height: stack.height, in: r,
                                 colorMap: .greys, range: range, border: RGBColor(hex: 0x9A9A9A))
                } else {
                    canvas.image(values, width: stack.width, height: stack.height, in: r,
                                 colorMap: .viridis, range: range, border: RGBColor(hex: 0x9A9A9A))
                }
            }
            y += groupHeight + groupGap
        }
    }
}
