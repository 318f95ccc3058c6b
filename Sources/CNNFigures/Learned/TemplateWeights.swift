// C1. Template weights (the CSC321 notebook demos): the first dense layer's weights over the input
// pixels, one image per unit. For logistic regression each class has one such "template"; for an
// MLP each hidden unit has one.
import CNNEngine
import CNNPlot
import CNNRuns
import CNNStore
import Foundation

/// The weights of a model's first dense layer, one image of the input's size per unit.
public struct TemplateWeights: Figure {
    /// The model's name, for the title.
    public let model: String
    /// The dense layer's name (`fc`, `fc1`).
    public let layer: String
    /// Its full shape [out, in].
    public let layerShape: [Int]
    /// The input's shape [C, H, W]; each image has C x H x W values.
    public let inputShape: [Int]
    /// Whether the units are the output classes (logistic regression) rather than hidden units.
    public let unitsAreClasses: Bool
    /// One image per unit shown, channels-first, in unit order.
    public let images: [[Float]]
    /// A caption per image: the class name, or the unit number.
    public let captions: [String]
    /// One symmetric range for all images (zero white).
    public let range: ValueRange

    /// Takes the first dense layer that reads the flattened input.
    /// - Parameter count: units shown, for hidden layers (all the classes are always shown).
    /// - Throws: `LearnedFigureError` when the model has no dense layer reading its raw input.
    public init(_ model: TrainedModel, count: Int = 50) throws {
        let inputSize = model.inputShape.reduce(1, *)
        var dense: Dense?
        for layer in model.network.layers {
            if let d = layer as? Dense { dense = d; break }
            guard layer.kind == .flatten else { break }
        }
        guard let dense, dense.inFeatures == inputSize else {
            throw LearnedFigureError("\(model.path): \(model.contents.model) does not start with a dense layer on the input pixels (a logreg or mlp model has one)")
        }
        let isOutput = dense.outFeatures == model.spec.classes && !model.network.layers.contains { $0 !== dense && $0 is Dense }
        let shown = isOutput ? dense.outFeatures : min(max(count, 1), dense.outFeatures)
        let values = dense.weight.value.values
        let images = (0..<shown).map { Array(values[$0 * inputSize..<($0 + 1) * inputSize]) }
        try self.init(model: model.displayName, layer: dense.name, layerShape: dense.weight.value.shape,
                      inputShape: model.inputShape, unitsAreClasses: isOutput, images: images,
                      captions: isOutput ? model.classNames : (0..<shown).map { "\($0)" })
    }

    /// Creates the figure from plain weights: one image of `inputShape` per unit.
    public init(model: String, layer: String, layerShape: [Int], inputShape: [Int], unitsAreClasses: Bool,
                images: [[Float]], captions: [String]) throws {
        let size = inputShape.reduce(1, *)
        guard inputShape.count == 3, inputShape[0] == 1 || inputShape[0] == 3, images.allSatisfy({ $0.count == size }),
              captions.count == images.count else {
            throw LearnedFigureError("\(model): weights of \(layer) do not form images of \(inputShape.shapeDescription)")
        }
        self.model = model; self.layer = layer; self.layerShape = layerShape; self.inputShape = inputShape
        self.unitsAreClasses = unitsAreClasses; self.images = images; self.captions = captions
        range = .symmetricQuantile(images, quantile: TemplateWeights.scaleQuantile)
    }

    /// The colour scale ends at this quantile of |weight| over all images.
    static let scaleQuantile = 0.99

    public var catalogueID: String { "C1" }

    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        let size = "\(inputShape[2])×\(inputShape[1])"
        let name = model.prefix(1).uppercased() + model.dropFirst()
        return unitsAreClasses
            ? "\(name): each class's weights over the \(size) pixels"
            : "\(name): first-layer weights of hidden units 0–\(images.count - 1) of \(layerShape[0])"
    }

    public var caption: String {
        "Weights of \(layer) in \(model) reshaped to the input's \(inputShape[2])×\(inputShape[1]) pixels, read from the model file; "
            + "red: the pixel pushes the unit up, blue: down, white: no effect; one scale for all, ending at the 99th percentile "
            + "of |weight| (±\(formatNumber(range.upper, maximumFractionDigits: 3))), so that one outlier does not wash out the other weights."
    }

    public var preferredSize: Size {
        unitsAreClasses ? .inches(8, 3.6) : .inches(8, 1.1 + 0.86 * Double((images.count + 9) / 10))
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let note = "weights of \(layer), \(sizeText(layerShape)); blue: negative, white: zero, red: positive; one scale, strongest 1% saturate"
        var body = canvas.learnedPage(rect, title: title, note: note)
        let barWidth = canvas.colorBarWidth(for: range, label: "weight") + style.labelGap * 3
        body = body.inset(right: barWidth)
        let columns = unitsAreClasses ? min(images.count, 5) : min(images.count, 10)
        let channels = inputShape[0]
        let cells = zip(images, captions).map { ImageCell(values: $0, channels: 1, range: range, caption: $1) }
        let layout: GridLayout
        if channels == 1 {
            layout = canvas.cellGrid(cells, width: inputShape[2], height: inputShape[1], columns: columns, in: body,
                                     colorMap: .diverging)
        } else {
            // Colour inputs: the three channel planes side by side would triple the grid; show their mean.
            let plane = inputShape[1] * inputShape[2]
            let means = cells.map { cell in
                ImageCell(values: (0..<plane).map { (cell.values[$0] + cell.values[plane + $0] + cell.values[2 * plane + $0]) / 3 },
                          range: range, caption: cell.caption)
            }
            layout = canvas.cellGrid(means, width: inputShape[2], height: inputShape[1], columns: columns, in: body,
                                     colorMap: .diverging)
        }
        let frameRect = layout.frame
        let barHeight = max(60, frameRect.height - layout.captionHeight)
        canvas.colorBar(.diverging, range: range,
                        in: Rect(x: frameRect.maxX + style.labelGap * 3, y: frameRect.minY, width: barWidth - style.labelGap * 3,
                                 height: barHeight), label: "weight")
    }
}
