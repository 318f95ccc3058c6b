// Data sets by the names `cnnbench train --dataset` takes, and the test set a model file was trained for.

import CNNData
import CNNEngine
import CNNStore
import Foundation

/// A data set named as on the command line: `mnist`, `fashion-mnist`, `cifar10` or a folder of PNGs.
public struct NamedDataset: Sendable, Equatable {
    /// The canonical name (`mnist`, `fashion-mnist`, `cifar10`) or the folder.
    public var name: String
    /// Where its files are; nil for the default place.
    public var directory: String?

    /// Normalises common spellings (`MNIST train`, `Fashion-MNIST test`, `fmnist`, `CIFAR-10`).
    public init(_ name: String, directory: String? = nil) {
        let key = name.lowercased().replacingOccurrences(of: " train", with: "").replacingOccurrences(of: " test", with: "")
        switch key {
        case "mnist": self.name = "mnist"
        case "fashion-mnist", "fashionmnist", "fmnist", "fashion mnist": self.name = "fashion-mnist"
        case "cifar10", "cifar-10": self.name = "cifar10"
        default: self.name = name
        }
        self.directory = directory
    }

    /// The name as a slide writes it.
    public var displayName: String {
        switch name {
        case "mnist": return "MNIST"
        case "fashion-mnist": return "Fashion-MNIST"
        case "cifar10": return "CIFAR-10"
        default: return URL(fileURLWithPath: name).lastPathComponent
        }
    }

    /// Loads the training and test splits, as `cnnbench train --dataset` does.
    /// - Throws: `DataError` naming the file; `ConfigurationError` for CIFAR-10 without a folder or an unknown name.
    public func load() throws -> (train: Dataset, test: Dataset) {
        try DataSource(name: name, directory: directory ?? (name == "mnist" ? ShippedFiles.locate("datasets/mnist") : nil)).load()
    }

    /// The factor the model's recipe shrank its images by (`downsample`), or nil for full size.
    public static func downsampleFactor(_ contents: ModelFileContents) -> Int? {
        guard let factor = storedRecipe(contents)?["downsample"] as? Int, factor > 1 else { return nil }
        return factor
    }

    /// The model file's training recipe as JSON values, or nil when it holds none.
    static func storedRecipe(_ contents: ModelFileContents) -> [String: Any]? {
        guard let json = contents.training?.recipeJSON else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
    }

    /// The data set a model file was trained on: its `data_source` metadata, else its dataset record's name.
    public static func trainedOn(_ contents: ModelFileContents) -> NamedDataset? {
        struct Source: Decodable { var name: String; var directory: String? }
        if let json = contents.metadata["data_source"],
           let source = try? JSONDecoder().decode(Source.self, from: Data(json.utf8)) {
            return NamedDataset(source.name, directory: source.directory)
        }
        return contents.dataset.map { NamedDataset($0.name) }
    }

    /// The test images a model takes: loaded, shrunk by the factor its recipe shrank the training images by
    /// (`downsample`), and padded to its input as training padded them (MNIST 28x28 for a 32x32 LeNet).
    /// - Throws: `ShapeError` naming the file when the images do not fit the model's input.
    public func testSet(for inputShape: [Int], file: String, downsample: Int? = nil) throws -> Dataset {
        var test = try load().test
        if let downsample, downsample > 1 { test = try test.downsampled(by: downsample) }
        if test.channels == inputShape[0], inputShape[1] > test.height, inputShape[2] > test.width,
           inputShape[1] - test.height <= 8, inputShape[2] - test.width <= 8 {
            test = try test.padded(toHeight: inputShape[1], width: inputShape[2])
        }
        guard test.imageShape == inputShape else {
            throw ShapeError("\(file): the model takes \(inputShape.shapeDescription) images, \(displayName) has \(test.imageShape.shapeDescription)")
        }
        return test
    }
}
