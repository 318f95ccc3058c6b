// A trained model as everything above the building blocks sees it: the network read from a model file (the
// toolkit's own, Keras or ONNX), its architecture, the data set it was trained on, how that data set's images
// were prepared, its test set, and its evaluation.

import CNNData
import CNNEngine
import CNNModels
import CNNStore
import Foundation

/// A trained network read from a model file, in evaluation mode, with its data.
public struct TrainedModel {
    /// The file it was read from.
    public let path: String
    /// The architecture.
    public let spec: ModelSpec
    /// The network with the stored weights, in evaluation mode.
    public let network: Sequential
    /// Everything the file holds.
    public let contents: ModelFileContents
    /// The data it was trained on, as the file records it; nil when the file does not say.
    public let trainedOn: DataSource?
    /// How its training images were prepared: the recipe's downsampling and the stored normalisation.
    public let preprocessing: Preprocessing

    /// Reads a model file: the toolkit's own, a Keras Sequential `.h5`, or an ONNX graph the engine can run.
    /// - Throws: `ConfigurationError` naming a missing file; the store's errors naming the file for one that is
    ///   damaged, of another kind, or whose architecture cannot be rebuilt.
    public init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw ConfigurationError("\(path): no such file") }
        (spec, network, contents) = try ModelFile.loadModel(from: URL(fileURLWithPath: path))
        network.setTraining(false)
        self.path = path
        trainedOn = contents.trainedOn
        preprocessing = Preprocessing(downsample: contents.downsampleFactor,
                                      normalization: Self.normalization(of: contents, dataset: trainedOn?.name ?? .mnist))
    }

    /// The stored normalisation; where the file has none (Keras, ONNX), the data set's customary one, else byte / 255.
    static func normalization(of contents: ModelFileContents, dataset: DatasetName) -> Normalization {
        if let d = contents.dataset, !d.normalizationMean.isEmpty, d.normalizationMean.count == d.normalizationStd.count,
           d.normalizationStd.allSatisfy({ $0 > 0 }) {
            return Normalization(mean: d.normalizationMean.map(Float.init), standardDeviation: d.normalizationStd.map(Float.init))
        }
        return dataset.customaryNormalization ?? .unitRange
    }

    /// One sample's shape, [C, H, W].
    public var inputShape: [Int] { spec.inputShape }

    /// How bytes become the network's inputs.
    public var normalization: Normalization { preprocessing.normalization }

    /// Class names from the file, or the class numbers.
    public var classNames: [String] {
        if let names = contents.dataset?.classNames, names.count == spec.classes { return names }
        return (0..<spec.classes).map(String.init)
    }

    /// The model and its data for titles: "LeNet-5 on MNIST".
    public var displayName: String { Self.displayName(of: contents) }

    /// A model file's model and data for titles: "LeNet-5 on MNIST", "logistic regression on Fashion-MNIST",
    /// the model alone when the file does not say its data.
    public static func displayName(of contents: ModelFileContents) -> String {
        ModelZoo.displayName(contents.model) + (contents.trainedOn.map { " on \($0.displayName)" } ?? "")
    }

    // MARK: - Its data

    /// The data to test on: `name` (any spelling) in `directory`, or else the data it was trained on (in `directory`
    /// when given); MNIST when the file does not say.
    public func dataSource(name: String? = nil, directory: String? = nil) -> DataSource {
        if let name { return DataSource(name: name, directory: directory) }
        var source = trainedOn ?? DataSource(.mnist)
        if let directory { source.directory = directory }
        return source
    }

    /// The test images of `name` in `directory` (default: the data it was trained on, see `dataSource`), prepared as
    /// its training images were: shrunk by its recipe's factor, padded to its input.
    /// - Throws: `ConfigurationError` naming the model file when the data set it names is unknown, or has other classes;
    ///   `ShapeError` naming it when the images do not fit; `DataError` naming a missing or bad data file.
    public func testSet(name: String? = nil, directory: String? = nil) throws -> Dataset {
        try testSet(of: dataSource(name: name, directory: directory), namedIn: name == nil ? path : nil)
    }

    /// The test images of `source`, prepared as the training images were.
    /// - Parameter file: where the data set's name came from (the model file, a suite), named in its errors.
    public func testSet(of source: DataSource, namedIn file: String? = nil) throws -> Dataset {
        let test = try preprocessing.fitted(try source.load(namedIn: file).test, to: inputShape)
        guard test.imageShape == inputShape else {
            throw ShapeError("\(path): the model takes \(inputShape.shapeDescription) images, \(source.displayName) has \(test.imageShape.shapeDescription)")
        }
        guard test.classNames.count == spec.classes else {
            throw ConfigurationError("\(path) has \(spec.classes) classes, but \(source.displayName) has \(test.classNames.count) "
                                     + "(\(test.classNames.prefix(10).joined(separator: ", "))\(test.classNames.count > 10 ? ", ..." : "")): "
                                     + "give the data set the model was trained on")
        }
        return test
    }

    /// The first `limit` images of `dataset` (all by default) as the model takes them: padded to its input as
    /// training padded them.
    /// - Throws: `ShapeError` naming the data set and the model file when the images do not fit.
    public func inputs(_ dataset: Dataset, limit: Int? = nil) throws -> Dataset {
        var data = dataset
        if let limit { data = data.subset(Array(0..<min(max(limit, 1), data.count))) }
        guard data.channels == inputShape[0] else {
            throw ShapeError("\(dataset.name) has \(data.channels)-channel images; \(path) takes \(inputShape[0]) channels")
        }
        data = try Preprocessing.padded(data, to: inputShape)
        guard data.imageShape == inputShape else {
            throw ShapeError("\(dataset.name) has \(data.width)x\(data.height) images; \(path) takes \(inputShape[2])x\(inputShape[1]) "
                             + "(no resizing: give the data set it was trained on)")
        }
        return data
    }

    /// Images `range` of `data` (already fitted, see `inputs`) as the normalised batch the network takes.
    public func batch(_ data: Dataset, range: Range<Int>) throws -> Tensor {
        try preprocessing.batch(data, range: range)
    }

    /// The network run over `dataset` (fitted, see `testSet` and `inputs`), in evaluation mode.
    /// - Parameter keepMistakes: how many mistakes to keep, the first in data-set order (all by default).
    public func evaluate(on dataset: Dataset, keepMistakes: Int = .max) throws -> Evaluation {
        try Evaluation(network: network, dataset: dataset, normalization: normalization, classes: spec.classes, keepMistakes: keepMistakes)
    }
}
