// Which data a run trains on: a named data set or a folder, loaded, split and normalised.
import CNNData
import CNNEngine
import Foundation

/// A data set by name (`mnist`, `fashion-mnist`, `cifar10`) or a folder of PNGs (train/<class>, test/<class>).
public struct DataSource: Codable, Equatable, Sendable {
    public var name: String
    /// Where the files are; nil for the default of named data sets.
    public var directory: String?

    public init(name: String, directory: String? = nil) { self.name = name; self.directory = directory }

    /// The data shipped in the repository or installed by the set-up script, relative to the working directory.
    public static let defaultMNISTDirectory = "datasets/mnist"

    /// Loads the canonical train and test splits.
    /// - Throws: `DataError` naming the file and problem; `ConfigurationError` for an unknown name.
    public func load() throws -> (train: Dataset, test: Dataset) {
        switch name.lowercased() {
        case "mnist": return try Dataset.mnist(directory: directory ?? Self.defaultMNISTDirectory)
        case "fashion-mnist", "fashionmnist", "fmnist": return try Dataset.fashionMNIST(directory: directory ?? Dataset.fashionMNISTDefaultDirectory)
        case "cifar10", "cifar-10":
            guard let directory else {
                throw ConfigurationError("CIFAR-10 needs --data-dir: the folder holding cifar-10-batches-bin (the binary version, downloaded on a networked machine)")
            }
            return try Dataset.cifar10(directory: directory)
        default:
            let folder = directory ?? name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigurationError("unknown data set \"\(name)\": use mnist, fashion-mnist, cifar10 or a folder with train/<class>/*.png and test/<class>/*.png")
            }
            return try Dataset.imageFolder(directory: folder)
        }
    }

    /// The usual normalisation of the named data sets, else statistics of the training images.
    public func normalization(for train: Dataset) -> Normalization {
        switch name.lowercased() {
        case "mnist": return .mnist
        case "fashion-mnist", "fashionmnist", "fmnist": return .fashionMNIST
        case "cifar10", "cifar-10": return .cifar10
        default: return Normalization(statisticsOf: train)
        }
    }
}

/// Train, validation and test sets ready for a model: padded to its input and split by the seed.
public struct PreparedData: Sendable {
    public var train: Dataset
    public var validation: Dataset?
    public var test: Dataset
    public var normalization: Normalization
    /// The sample shape the model is built for, [C, H, W].
    public var inputShape: [Int]

    /// Loads `source`, pads images up to `modelInput` where that is all that differs (MNIST 28x28 for a
    /// 32x32 LeNet-5), holds out the validation images and applies the train limit.
    public init(source: DataSource, modelInput: [Int], recipe: TrainingRecipe) throws {
        var (train, test) = try source.load()
        if train.channels == modelInput[0], modelInput[1] > train.height, modelInput[2] > train.width,
           modelInput[1] - train.height <= 8, modelInput[2] - train.width <= 8 {
            train = try train.padded(toHeight: modelInput[1], width: modelInput[2])
            test = try test.padded(toHeight: modelInput[1], width: modelInput[2])
        }
        normalization = source.normalization(for: train)
        if recipe.validationCount > 0 && recipe.validationCount < train.count {
            let parts = try train.split(validationCount: recipe.validationCount, seed: recipe.seed)
            train = parts.training
            validation = parts.validation
        }
        if let limit = recipe.trainLimit, limit < train.count {
            train = train.subset(Array(0..<limit))
        }
        self.train = train
        self.test = test
        inputShape = train.imageShape
    }
}
