import ArgumentParser
import CNNData
import CNNFigures
import CNNRuns
import Foundation

/// `--references FILE` / `--no-references`: published errors drawn beside MNIST results.
struct ReferenceOptions: ParsableArguments {
    @Option(help: "Published errors to compare with (CSV: label,error_percent; default: data/mnist_reference_errors.csv, LeCun et al. 1998).")
    var references: String?

    @Flag(help: "Draw no published errors.")
    var noReferences = false

    /// The references for a figure of `dataset`: the file given, or the shipped MNIST ones for MNIST.
    func load(for dataset: DatasetName?) throws -> [ReferenceError] {
        if noReferences { return [] }
        if let references { return try ReferenceError.read(from: references) }
        guard dataset == .mnist else { return [] }
        let path = ShippedFiles.locate(ReferenceError.defaultFile)
        guard FileManager.default.fileExists(atPath: path) else {
            FileHandle.standardError.write(Data("note: \(ReferenceError.defaultFile) not found; drawing no published errors\n".utf8))
            return []
        }
        return try ReferenceError.read(from: path)
    }
}

/// `--dataset`, `--data-dir`: which test set a model is evaluated on.
struct EvaluationDataOptions: ParsableArguments {
    @Option(help: "mnist, fashion-mnist, cifar10 or a folder (default: the data set the model was trained on).")
    var dataset: String?

    @Option(help: "Where the data set's files are (default: where the model's training read them).")
    var dataDir: String?

    /// `model` run over the test set chosen (by default the one it was trained on), the set, and its data source.
    func evaluate(_ model: TrainedModel) throws -> (source: DataSource, testSet: Dataset, evaluation: Evaluation) {
        let source = model.dataSource(name: dataset, directory: dataDir)
        let test = try model.testSet(name: dataset, directory: dataDir)
        return (source, test, try model.evaluate(on: test))
    }
}
