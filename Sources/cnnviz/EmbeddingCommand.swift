import ArgumentParser
import CNNFigures
import CNNRuns

/// `cnnviz embedding MODEL_FILE`: test images in 2-D by PCA of pixels and of penultimate features (C7).
struct EmbeddingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedding",
        abstract: "The learned representation: test images by PCA of their pixels and of the penultimate layer's features (C7).",
        discussion: """
            The features are the input of the model's last dense layer (or the output of --layer, after the activation that \
            follows it), from forward passes of the stored network. PCA is computed by CNNBench and is deterministic.
            """)

    @Argument(help: "A model file (model.h5 from `cnnbench train`, or an ONNX file).")
    var modelFile: String

    @Option(help: "The layer whose output is embedded (default: the one before the last dense layer).")
    var layer: String?

    @Option(help: "Data set: mnist, fashion-mnist, cifar10 or a folder (default: the one the model was trained on).")
    var dataset: String?

    @Option(help: "Where the data set's files are (default: where the model's training read them).")
    var dataDir: String?

    @Option(parsing: .unconditional, help: "The first N test images are embedded.")
    var limit = 2000

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if limit < 3 || limit > 20000 { throw ValidationError("--limit must be between 3 and 20000, got \(limit)") }
    }

    func run() throws {
        let model = try TrainedModel(contentsOf: modelFile)
        let test = try model.testSet(name: dataset, directory: dataDir)
        let figure = try FeatureEmbedding(model, dataset: test, layer: layer, limit: limit)
        try output.write(figure, defaultName: "C7-embedding-\(model.contents.model)")
    }
}
