import ArgumentParser
import CNNFigures
import CNNRuns

/// `cnnviz health MODEL_FILE`: per-layer weight and activation histograms and dead units (E6).
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Health of a network: per-layer histograms of weights and activations, and dead ReLU channels (E6).",
        discussion: """
            A channel or unit followed by a ReLU is dead when its output is never above 0 over the test images measured. \
            From the stored weights and forward passes of the stored network.
            """)

    @Argument(help: "A model file (model.h5 from `cnnbench train`, or an ONNX file).")
    var modelFile: String

    @Option(help: "Data set: mnist, fashion-mnist, cifar10 or a folder (default: the one the model was trained on).")
    var dataset: String?

    @Option(help: "Where the data set's files are (default: where the model's training read them).")
    var dataDir: String?

    @Option(parsing: .unconditional, help: "The first N test images are run through the network.")
    var limit = 1000

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if limit < 1 || limit > 20000 { throw ValidationError("--limit must be between 1 and 20000, got \(limit)") }
    }

    func run() throws {
        let model = try TrainedModel(contentsOf: modelFile)
        let test = try model.testSet(name: dataset, directory: dataDir)
        let figure = try NetworkHealth(model, dataset: test, limit: limit)
        try output.write(figure, defaultName: "E6-health-\(model.contents.model)")
    }
}
