// Which data a run trains on or a model is tested on: a data set by its typed name and the folder of its files,
// loaded as its canonical training and test splits. Stored in model files as JSON ({"name": ..., "directory": ...}).

import CNNData
import CNNEngine
import Foundation

/// A data set and where its files are.
public struct DataSource: Codable, Equatable, Sendable, CustomStringConvertible {
    public var name: DatasetName
    /// Where the files are; nil for the data set's default place (`DatasetName.defaultDirectory`).
    public var directory: String?

    public init(_ name: DatasetName, directory: String? = nil) { self.name = name; self.directory = directory }

    /// The model-file metadata key under which `cnnbench train` stores the data source as JSON.
    public static let metadataKey = "data_source"

    /// A data set by any spelling of its name (see `DatasetName.init(_:)`).
    public init(name: String, directory: String? = nil) { self.init(DatasetName(name), directory: directory) }

    public var description: String { name.identifier + (directory.map { " in \($0)" } ?? "") }

    /// The name as a slide writes it: MNIST, Fashion-MNIST, CIFAR-10, or the folder's own name.
    public var displayName: String { name.displayName }

    /// The folder the files are read from: the one given, else the data set's default.
    /// - Throws: `ConfigurationError` naming `file` (where the name came from) for CIFAR-10 without a folder, and for
    ///   a name that is none of the data sets and no existing folder.
    public func folder(namedIn file: String? = nil) throws -> String {
        let prefix = file.map { "\($0): " } ?? ""
        guard let folder = directory ?? name.defaultDirectory else {
            throw ConfigurationError(prefix + "CIFAR-10 needs --data-dir: the folder holding cifar-10-batches-bin "
                                     + "(the binary version, downloaded on a networked machine)")
        }
        if case .folder = name {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigurationError(prefix + "unknown data set \"\(name.identifier)\": use \(DatasetName.accepted)")
            }
        }
        return folder
    }

    /// Loads the canonical training and test splits.
    /// - Parameter file: the file the name came from (a model file, a suite), named in errors.
    /// - Throws: `DataError` naming the data file and its problem; `ConfigurationError` as `folder(namedIn:)`.
    public func load(namedIn file: String? = nil) throws -> (train: Dataset, test: Dataset) {
        let folder = try folder(namedIn: file)
        switch name {
        case .mnist: return try Dataset.mnist(directory: folder)
        case .fashionMNIST: return try Dataset.fashionMNIST(directory: folder)
        case .cifar10: return try Dataset.cifar10(directory: folder)
        case .folder: return try Dataset.imageFolder(directory: folder)
        }
    }

    /// The customary normalisation of the named data sets, else the statistics of the training images.
    public func normalization(for train: Dataset) -> Normalization {
        name.customaryNormalization ?? Normalization(statisticsOf: train)
    }

    private enum CodingKeys: String, CodingKey { case name, directory }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name),
                  directory: try container.decodeIfPresent(String.self, forKey: .directory))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name.identifier, forKey: .name)
        try container.encodeIfPresent(directory, forKey: .directory)
    }
}
