import ArgumentParser
import CNNFigures
import CNNRuns

struct ConfusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confusion",
        abstract: "E1: the confusion matrix of a model on its test set, and its test error beside LeCun et al. 1998.",
        discussion: """
        Runs the stored network over the test images (forward passes only).
        Examples: cnnviz confusion runs/lenet5-mnist/model.h5
                  cnnviz confusion runs/lenet5-mnist/model.h5 --no-references --out figures/E1-confusion.pdf
        """)

    @Argument(help: "A model file (.h5) written by `cnnbench train`, or an ONNX file.")
    var file: String

    @OptionGroup var data: EvaluationDataOptions
    @OptionGroup var referenceOptions: ReferenceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let model = try TrainedModel(contentsOf: file)
        let (source, _, evaluation) = try data.evaluate(model)
        let figure = ConfusionFigure(model: model.spec.name, datasetName: source.displayName,
                                     evaluation: evaluation, references: try referenceOptions.load(for: source.name))
        try output.write(figure, defaultName: "E1-confusion-\(model.spec.name)")
    }
}

struct MistakesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mistakes",
        abstract: "E1: a grid of misclassified test images, each labelled true → predicted.",
        discussion: """
        Examples: cnnviz mistakes runs/lenet5-mnist/model.h5
                  cnnviz mistakes runs/lenet5-mnist/model.h5 --count 64 --out figures/E1-mistakes.pdf
        """)

    @Argument(help: "A model file (.h5) written by `cnnbench train`, or an ONNX file.")
    var file: String

    @Option(parsing: .unconditional, help: "How many mistakes to show (the first ones in test-set order).")
    var count = 40

    @OptionGroup var data: EvaluationDataOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if count < 1 || count > 400 { throw ValidationError("--count must be between 1 and 400, got \(count)") }
    }

    func run() throws {
        let model = try TrainedModel(contentsOf: file)
        let (source, test, evaluation) = try data.evaluate(model)
        let figure = MistakesFigure(model: model.spec.name, datasetName: source.displayName,
                                    evaluation: evaluation, testSet: test, count: count)
        try output.write(figure, defaultName: "E1-mistakes-\(model.spec.name)")
    }
}
