// Which data a run trains on: a named data set or a folder, loaded, split and normalised.
import CNNEngine
import Foundation

/// A data set by name (`mnist`, `fashion-mnist`, `cifar10`) or a folder of PNGs (train/<class>, test/<class>).
public struct DataSource: Codable, Equatable, Sendable {
    public var name: String
    /// Where the files are; nil for the default of named data sets.
    public var directory: String?

    public init(name: String, directory: String? = nil) { self.name = name; self.directory = directory }

    /// The MNIST files shipped in the repository's datasets/mnist, found from the working directory
    /// (or a folder above it, or above the running program).
    public static var defaultMNISTDirectory: String { locateShipped("datasets/mnist") }

    /// `relative` under the working directory or a folder above it, or above the running program; else `relative` itself.
    public static func locateShipped(_ relative: String) -> String {
        let starts = [FileManager.default.currentDirectoryPath, URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent().path]
        for start in starts {
            var folder = URL(fileURLWithPath: start)
            for _ in 0..<6 {
                let candidate = folder.appendingPathComponent(relative).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                folder.deleteLastPathComponent()
            }
        }
        return relative
    }

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

