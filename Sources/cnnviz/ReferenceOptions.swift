import ArgumentParser
import CNNFigures
import Foundation

/// `--references FILE` / `--no-references`: published errors drawn beside MNIST results.
struct ReferenceOptions: ParsableArguments {
    @Option(help: "Published errors to compare with (CSV: label,error_percent; default: data/mnist_reference_errors.csv, LeCun et al. 1998).")
    var references: String?

    @Flag(help: "Draw no published errors.")
    var noReferences = false

    /// The references for a figure of `dataset`: the file given, or the shipped MNIST ones for MNIST.
    func load(for dataset: NamedDataset?) throws -> [ReferenceError] {
        if noReferences { return [] }
        if let references { return try ReferenceError.read(from: references) }
        guard dataset?.name == "mnist" else { return [] }
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

    @Option(help: "Where the data set's files are (default: datasets/mnist, /usr/share/datasets/fashion-mnist).")
    var dataDir: String?

    var named: NamedDataset? { dataset.map { NamedDataset($0, directory: dataDir) } }
}
