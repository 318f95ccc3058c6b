// E1 (and any run): training and test loss and error per epoch from the history stored in model
// files, several runs on one chart; published reference errors as horizontal lines.

import CNNEngine
import CNNModels
import CNNPlot
import CNNRuns
import CNNStore
import Foundation

/// One run's per-epoch history, read from a model file.
public struct TrainingHistory: Sendable, Equatable {
    /// The legend text (model and data set, or a label given by the user).
    public var label: String
    public var epochs: [Double]
    public var trainLoss: [Double]
    public var testLoss: [Double]
    /// Errors in percent.
    public var trainError: [Double]
    public var testError: [Double]
    /// `test`, or `validation` when the file has no test columns.
    public var heldOutName: String
    /// The data set it was trained on, if the file says.
    public var dataset: DataSource?

    public init(label: String, epochs: [Double], trainLoss: [Double], testLoss: [Double], trainError: [Double],
                testError: [Double], heldOutName: String = "test", dataset: DataSource? = nil) {
        self.label = label; self.epochs = epochs; self.trainLoss = trainLoss; self.testLoss = testLoss
        self.trainError = trainError; self.testError = testError; self.heldOutName = heldOutName; self.dataset = dataset
    }

    /// The history columns of a model file (`epoch`, `train_loss`, `train_error`, `test_loss`, `test_error`;
    /// `val_*` when no test error was computed); errors become percentages.
    /// - Throws: `ConfigurationError` naming the file when it has no history or lacks a column.
    public init(contents: ModelFileContents, file: String, label: String? = nil) throws {
        let history = contents.history
        guard let epochs = history["epoch"], !epochs.isEmpty else {
            throw ConfigurationError("\(file): no training history (the file holds no finished epoch)")
        }
        func column(_ name: String) throws -> [Double] {
            guard let values = history[name] else {
                throw ConfigurationError("\(file): the history has no \"\(name)\" column; it has \(history.keys.sorted().joined(separator: ", "))")
            }
            return values
        }
        let hasTest = (history["test_error"] ?? []).contains { $0.isFinite }
        let prefix = hasTest ? "test" : "val"
        dataset = contents.trainedOn
        self.label = label ?? TrainedModel.displayName(of: contents)
        self.epochs = epochs
        trainLoss = try column("train_loss")
        trainError = try column("train_error").map { $0 * 100 }
        testLoss = try column("\(prefix)_loss")
        testError = try column("\(prefix)_error").map { $0 * 100 }
        heldOutName = hasTest ? "test" : "validation"
    }

    /// Reads the history of the model file at `path`.
    public init(file path: String, label: String? = nil) throws {
        try self.init(contents: try ModelFile.read(from: URL(fileURLWithPath: path)), file: path, label: label)
    }

    /// The last epoch's held-out error in percent.
    public var finalTestError: Double? { testError.last }
}

/// Loss and error per epoch for one or more runs: training dashed, test solid, one colour per run.
public struct TrainingCurvesFigure: Figure {
    public var runs: [TrainingHistory]
    /// Horizontal lines on the error panel (LeCun et al. 1998 for MNIST runs).
    public var references: [ReferenceError]

    public init(runs: [TrainingHistory], references: [ReferenceError] = []) {
        self.runs = runs
        self.references = references
    }

    public var catalogueID: String { "E1" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        runs.count == 1 ? "Training curves of \(runs[0].label)" : "Training curves of \(runs.count) runs"
    }
    public var caption: String {
        "Loss and error per epoch (training dashed, \(runs.first?.heldOutName ?? "test") solid), read from the model files' histories"
            // The key names each reference line and its value; the caption says what they are, not the key's words.
            + (references.isEmpty ? "." : "; the dotted lines are published test errors on the same test set, for comparison "
                + "with the solid test curve (" + (references.count == 1 ? "one line" : "\(references.count) lines, told apart by colour") + ").")
    }
    public var preferredSize: Size { .inches(11, 4.8) }

    /// The reference lines' patterns and colours, hues far apart (brown, purple, orange).
    /// (Training curves are dashed, test curves solid: the reference lines use dots only.)
    static let referenceDashes: [LineDash] = [.dotted, .dotted, .dotted]
    static let referenceColors = [RGBColor(hex: 0x8C2D04), RGBColor(hex: 0x6A51A3), RGBColor(hex: 0xEC7014)]

    /// Whether an axis spanning `values` reads better on a log scale (more than a factor of 8).
    static func wantsLogarithmic(_ values: [Double]) -> Bool {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        guard let low = positive.min(), let high = positive.max() else { return false }
        return high / low > 8
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        // One run is named by the title: its colour needs no key. Several runs are told apart by colour.
        var entries: [LegendEntry] = runs.count == 1 ? [] : runs.indices.map { LegendEntry(label: runs[$0].label, color: style.seriesColor($0)) }
        let grey = RGBColor(hex: 0x555555)
        entries.append(LegendEntry(label: "training", color: grey, dash: .dashed))
        entries.append(LegendEntry(label: runs.first?.heldOutName ?? "test", color: grey))
        let referenceDashes = Self.referenceDashes
        for (i, reference) in references.enumerated() {
            entries.append(LegendEntry(label: "\(reference.label): " + String(format: "%.2f%%", reference.percent),
                                       color: Self.referenceColors[i % Self.referenceColors.count],
                                       dash: referenceDashes[i % referenceDashes.count]))
        }
        let legend = canvas.legendSize(entries)
        let body = outer.inset(top: canvas.titleHeight(title), right: legend.width + style.labelGap)
        canvas.legend(entries, at: Point(x: body.maxX + style.labelGap, y: body.minY + style.margin))

        func series(_ pick: (TrainingHistory) -> [Double], dash: LineDash) -> [LineSeries] {
            runs.enumerated().map { index, run in
                LineSeries(label: run.label, x: run.epochs, y: pick(run), color: style.seriesColor(index), dash: dash,
                           showsMarkers: run.epochs.count <= 15)
            }
        }
        let lastEpoch = runs.flatMap(\.epochs).max() ?? 1
        let firstEpoch = runs.flatMap(\.epochs).min() ?? 1
        let lossSeries = series(\.trainLoss, dash: .dashed) + series(\.testLoss, dash: .solid)
        var errorSeries = series(\.trainError, dash: .dashed) + series(\.testError, dash: .solid)
        for (i, reference) in references.enumerated() {
            errorSeries.append(LineSeries(label: reference.label, x: [firstEpoch, lastEpoch], y: [reference.percent, reference.percent],
                                          color: Self.referenceColors[i % Self.referenceColors.count], dash: referenceDashes[i % referenceDashes.count]))
        }
        let xRange = firstEpoch == lastEpoch ? (firstEpoch - 0.5)...(lastEpoch + 0.5) : firstEpoch...lastEpoch
        let loss = LineChart(series: lossSeries, title: "Loss", xLabel: "epoch", yLabel: "cross-entropy loss",
                             yScale: TrainingCurvesFigure.wantsLogarithmic(lossSeries.flatMap(\.y)) ? .logarithmic : .linear,
                             xRange: xRange, legend: .none)
        let error = LineChart(series: errorSeries, title: "Error", xLabel: "epoch", yLabel: "error (%)",
                              yScale: TrainingCurvesFigure.wantsLogarithmic(errorSeries.flatMap(\.y)) ? .logarithmic : .linear,
                              xRange: xRange, legend: .none)
        let half = body.width / 2
        loss.draw(on: canvas, in: Rect(x: body.minX, y: body.minY, width: half, height: body.height))
        error.draw(on: canvas, in: Rect(x: body.minX + half, y: body.minY, width: half, height: body.height))
    }
}
