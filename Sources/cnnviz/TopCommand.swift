import ArgumentParser
import CNNFigures
import CNNRuns

/// `cnnviz top MODEL_FILE`: the data-set patches that excite chosen channels most (C4).
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "For chosen channels, the 9 test-set patches (receptive-field crops) that excite each most (C4).")

    @Argument(help: "A model file (model.h5 from `cnnbench train`, or an ONNX file).")
    var modelFile: String

    @Option(help: "The layer (default: every convolution).")
    var layer: String?

    @Option(help: "Channels, separated by commas (default: the first 16 of each layer).")
    var channels: String?

    @Option(help: "Data set searched: mnist, fashion-mnist, cifar10 or a folder (default: the one the model was trained on).")
    var dataset: String?

    @Option(help: "Where the data set's files are (default: where the model's training read them).")
    var dataDir: String?

    @Option(parsing: .unconditional, help: "Search only the first N test images.")
    var limit: Int?

    @Option(parsing: .unconditional, help: "Patches per channel.")
    var count = 9

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try parseChannels(channels)
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if count < 1 || count > 25 { throw ValidationError("--count must be between 1 and 25, got \(count)") }
    }

    func run() throws {
        let model = try TrainedModel(contentsOf: modelFile)
        let test = try model.testSet(name: dataset, directory: dataDir)
        let figure = try TopActivations(model, dataset: test, layers: layer.map { [$0] }, channels: try parseChannels(channels),
                                        limit: limit, perChannel: count)
        try output.write(figure, defaultName: "C4-top-\(model.contents.model)")
    }
}
