// E1: the confusion matrix of a trained model on its test set, with its test error beside published ones.

import CNNData
import CNNModels
import CNNPlot
import CNNRuns
import Foundation

/// E1: confusion matrix (counts) and a small bar chart of the test error against published references.
public struct ConfusionFigure: Figure {
    public var model: String
    public var datasetName: String
    public var evaluation: Evaluation
    /// Published errors drawn as bars beside the measured one; empty for none.
    public var references: [ReferenceError]

    public init(model: String, datasetName: String, evaluation: Evaluation, references: [ReferenceError] = []) {
        self.model = ModelZoo.displayName(model)
        self.datasetName = datasetName
        self.evaluation = evaluation
        self.references = references
    }

    /// The bar chart's entries: this model first, then the references, in percent.
    public var errorBars: [(label: String, percent: Double)] {
        [("\(model), this run", evaluation.error * 100)] + references.map { ($0.label, $0.percent) }
    }

    public var catalogueID: String { "E1" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        "\(model) on the \(datasetName) test set: " + String(format: "%.2f%% error", evaluation.error * 100)
            + " (\(evaluation.mistakes.count.formatted()) of \(evaluation.count.formatted()) images)"
    }
    public var caption: String {
        "Confusion matrix of \(model) on the \(datasetName) test set (rows: true class, columns: predicted class), "
            + "computed by running the stored network over the test images; the diagonal (correct answers) is grey so that the "
            + "colour scale, 0 to \(offDiagonalMaximum), shows only the mistakes"
            + (references.isEmpty ? "." : "; right: its test error beside the published errors named under the bars.")
    }
    public var preferredSize: Size { references.isEmpty ? .inches(7, 6.4) : .inches(10.5, 6.4) }

    /// The largest count off the diagonal: the top of the colour scale.
    public var offDiagonalMaximum: Int {
        evaluation.confusion.enumerated().flatMap { r, row in row.enumerated().filter { $0.offset != r }.map(\.element) }.max() ?? 0
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let body = outer.inset(top: canvas.titleHeight(title))
        let matrixWidth = references.isEmpty ? body.width : min(body.width * 0.64, body.height * 1.12)
        let classes = evaluation.classNames.count
        let heatmap = Heatmap(values: evaluation.confusion.flatMap { $0.map(Double.init) }, rows: classes, columns: classes,
                              rowLabels: evaluation.classNames, columnLabels: evaluation.classNames,
                              title: "Counts; mistakes coloured", xLabel: "predicted class", yLabel: "true class",
                              colorMap: .blues, range: ValueRange(0, Double(max(offDiagonalMaximum, 1))),
                              cellLabels: evaluation.confusion.flatMap { $0.map { $0.formatted() } })
        var masked = heatmap
        masked.maskedCells = Set((0..<classes).map { $0 * classes + $0 })
        masked.draw(on: canvas, in: Rect(x: body.minX, y: body.minY, width: matrixWidth, height: body.height))
        guard !references.isEmpty else { return }
        let bars = errorBars
        let chart = BarChart(categories: bars.map(\.label), values: bars.map(\.percent),
                             valueLabels: bars.map { String(format: "%.2f%%", $0.percent) },
                             colors: bars.indices.map { $0 == 0 ? style.seriesColor(0) : RGBColor(hex: 0xA0A0A0) },
                             title: "Test error vs LeNet-5 (1998)", yLabel: "test error (%)")
        let side = Rect(x: body.minX + matrixWidth + style.labelGap, y: body.minY,
                        width: body.width - matrixWidth - style.labelGap, height: body.height)
        chart.draw(on: canvas, in: side.inset(top: side.height * 0.12, bottom: side.height * 0.12))
    }
}

/// E1: a grid of misclassified test images, each captioned `label → predicted`.
public struct MistakesFigure: Figure {
    public var model: String
    public var datasetName: String
    public var evaluation: Evaluation
    /// The images shown, as bytes [C, H, W] each, and their mistakes.
    public var shown: [(image: [UInt8], mistake: Evaluation.Mistake)]
    public var channels: Int
    public var height: Int
    public var width: Int

    /// Takes the first `count` mistakes of `evaluation`, with their images from `testSet`.
    public init(model: String, datasetName: String, evaluation: Evaluation, testSet: Dataset, count: Int = 40) {
        self.model = ModelZoo.displayName(model)
        self.datasetName = datasetName
        self.evaluation = evaluation
        channels = testSet.channels
        height = testSet.height
        width = testSet.width
        shown = evaluation.mistakes.prefix(count).map { (Array(testSet.image(at: $0.index)), $0) }
    }

    /// `label → predicted` for each image shown, with class names.
    public var captions: [String] {
        shown.map { "\(evaluation.classNames[$0.mistake.label]) → \(evaluation.classNames[$0.mistake.predicted])" }
    }

    public var catalogueID: String { "E1" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        "\(model): \(shown.count) of its \(evaluation.mistakes.count) mistakes on the \(datasetName) test set (true → predicted)"
    }
    public var caption: String {
        "Misclassified \(datasetName) test images of \(model), in test-set order, each labelled with its true class and the network's prediction."
    }
    public var preferredSize: Size { .inches(8, 7) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let body = outer.inset(top: canvas.titleHeight(title) + style.labelGap)
        guard !shown.isEmpty else {
            canvas.text("No mistakes: every test image is classified correctly.", at: body.center, font: style.labelFont,
                        horizontal: .center, vertical: .middle)
            return
        }
        // Dark strokes on a light ground print better: bytes are drawn inverted for grey images.
        let images = shown.map { item in item.image.map { Float(channels == 1 ? 255 - $0 : $0) } }
        let columns = max(1, Int((Double(shown.count) * body.width / body.height).squareRoot().rounded(.up)))
        canvas.imageGrid(images, imageWidth: width, imageHeight: height, channels: channels, columns: columns, in: body,
                         colorMap: .greys, scaling: .fixed(ValueRange(0, 255)), captions: captions)
    }
}
