// The data sets the toolkit trains on, by one typed name, and the one parser of every spelling in use:
// command lines and suites (`fashion-mnist`, `fashion_mnist`, `fmnist`, `cifar-10`), and model files'
// data-set records (`MNIST train`, `Fashion-MNIST test`, `CIFAR-10 train`).

import CNNData
import Foundation

/// A data set the toolkit trains on: MNIST, Fashion-MNIST, CIFAR-10, or a folder of PNGs with one subfolder
/// per class (`train/<class>/*.png`, `test/<class>/*.png`).
public enum DatasetName: Hashable, Sendable, CustomStringConvertible {
    case mnist
    case fashionMNIST
    case cifar10
    /// A folder of PNGs, as it was given (absolute, or relative to the working directory).
    case folder(String)

    /// Parses any spelling, in any case: `mnist`; `fashion-mnist`, `fashion_mnist`, `fashionmnist`, `fmnist`,
    /// `Fashion MNIST`; `cifar10`, `cifar-10`, `CIFAR_10`; each also with a split after it, as model files record
    /// it (`MNIST train`, `Fashion-MNIST test`, `CIFAR-10 train (validation)`). Anything else names a folder.
    public init(_ spelling: String) {
        let key = Self.withoutSplit(spelling.trimmingCharacters(in: .whitespaces)).lowercased()
        switch key.replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-") {
        case "mnist": self = .mnist
        case "fashion-mnist", "fashionmnist", "fmnist": self = .fashionMNIST
        case "cifar10", "cifar-10": self = .cifar10
        default: self = .folder(spelling)
        }
    }

    /// A data set's name without the split its images' name carries: "MNIST" for "MNIST train", "shapes" for
    /// "shapes test (validation)".
    public static func withoutSplit(_ name: String) -> String {
        var name = name
        let splits = [" (validation)", " (train)", " training", " train", " test"]
        while let split = splits.first(where: { name.lowercased().hasSuffix($0) }) { name = String(name.dropLast(split.count)) }
        return name
    }

    /// The name as `--dataset` takes it: `mnist`, `fashion-mnist`, `cifar10`, or the folder.
    public var identifier: String {
        switch self {
        case .mnist: return "mnist"
        case .fashionMNIST: return "fashion-mnist"
        case .cifar10: return "cifar10"
        case .folder(let path): return path
        }
    }

    public var description: String { identifier }

    /// The name as a slide writes it: MNIST, Fashion-MNIST, CIFAR-10, or the folder's own name.
    public var displayName: String {
        switch self {
        case .mnist: return "MNIST"
        case .fashionMNIST: return "Fashion-MNIST"
        case .cifar10: return "CIFAR-10"
        case .folder(let path): return URL(fileURLWithPath: path).lastPathComponent
        }
    }

    /// Where the files are when no folder is given: the MNIST shipped in `datasets/mnist`, Debian's
    /// `dataset-fashion-mnist` package, the folder itself; nil for CIFAR-10, which ships nowhere.
    public var defaultDirectory: String? {
        switch self {
        case .mnist: return ShippedFiles.locate("datasets/mnist")
        case .fashionMNIST: return Dataset.fashionMNISTDefaultDirectory
        case .cifar10: return nil
        case .folder(let path): return path
        }
    }

    /// The normalisation customary for the named data sets (their training statistics); nil for a folder,
    /// whose statistics are measured.
    public var customaryNormalization: Normalization? {
        switch self {
        case .mnist: return .mnist
        case .fashionMNIST: return .fashionMNIST
        case .cifar10: return .cifar10
        case .folder: return nil
        }
    }

    /// Whether `other` names the same data: equal names, or folders that are the same folder however written.
    public func isSameData(as other: DatasetName) -> Bool {
        guard case .folder(let a) = self, case .folder(let b) = other else { return self == other }
        func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        return standardized(a) == standardized(b)
    }

    /// What `--dataset` accepts, for error messages.
    public static let accepted = "mnist, fashion-mnist, cifar10 or a folder with train/<class>/*.png and test/<class>/*.png"
}
