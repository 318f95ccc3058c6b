// StoreError: every failure of the HDF5 layer, as one sentence that names the file and the object.
//
// HDF5's own error stack is silenced (see HDF5Library.swift); when a C call fails, its most
// specific message is appended in parentheses so that a corrupt file can still be diagnosed.

/// A failure to read or write an HDF5 file, described in a sentence that names the file and the object path.
public struct StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for callers that react to some failures (a missing file) and report the rest.
    public enum Problem: Sendable, Equatable {
        /// The file does not exist.
        case fileNotFound
        /// The file exists but does not start with an HDF5 signature (a text file, an empty file).
        case notHDF5
        /// The file looks like HDF5 but cannot be read: truncated or corrupt.
        case corrupt
        /// No group, dataset or attribute at the given path or name.
        case notFound
        /// The object exists but is of another kind (a group where a dataset was expected).
        case wrongKind
        /// The stored element type cannot be read as the requested Swift type.
        case wrongType
        /// The stored shape differs from the shape the caller expects.
        case wrongShape
        /// The file was closed before the call.
        case closed
        /// A write to a file opened read-only.
        case readOnly
        /// The caller passed values that cannot be stored (a shape that does not match the values).
        case invalidArgument
        /// A call into the HDF5 library or the file system failed for another reason.
        case operationFailed
    }

    /// What went wrong.
    public let problem: Problem
    /// The path of the file, as the caller gave it.
    public let file: String
    /// The absolute path of the object inside the file ("/model/C1/weight"), when one is involved.
    public let objectPath: String?
    /// The sentence that says what is wrong, without the file name.
    public let reason: String

    /// Creates an error; `reason` is a sentence without the file name, which `description` adds.
    public init(_ problem: Problem, file: String, objectPath: String? = nil, reason: String) {
        self.problem = problem
        self.file = file
        self.objectPath = objectPath
        self.reason = reason
    }

    /// The file path, a colon and the reason, as a compiler prints a diagnostic.
    public var description: String { "\(file): \(reason)" }
}
