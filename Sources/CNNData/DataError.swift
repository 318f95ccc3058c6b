// DataError: what went wrong reading a data file, in one sentence that names the file.

/// A data file that cannot be read, with the file's path and the problem in one sentence.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kinds of problem a reader reports.
    public enum Kind: String, Sendable, Equatable {
        /// The file or folder does not exist.
        case missingFile
        /// The file ends before the data its header promises.
        case truncated
        /// The file does not start with the magic number of its format.
        case wrongMagicNumber
        /// Counts disagree: images against labels, a label against the number of classes.
        case inconsistentCounts
        /// The gzip stream cannot be decompressed.
        case badCompression
        /// The file is in its format but holds something this reader does not accept.
        case unsupportedContent
        /// The file or folder exists but cannot be read.
        case unreadable
    }

    /// The file or folder the problem is in.
    public let file: String
    /// The kind of problem.
    public let kind: Kind
    /// The problem, in words, without the file name.
    public let problem: String

    /// Creates an error for `file` with a problem described in words.
    public init(_ kind: Kind, file: String, _ problem: String) {
        self.kind = kind
        self.file = file
        self.problem = problem
    }

    /// The file, then the problem: `data/train-images-idx3-ubyte.gz: truncated: ...`.
    public var description: String { "\(file): \(problem)" }
}
