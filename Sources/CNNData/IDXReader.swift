// IDX files (LeCun's MNIST format), gzipped or plain, read through zlib.
//
// Layout: a 4-byte magic number 0x00 0x00 <type> <rank>, then `rank` big-endian 32-bit extents,
// then the values in row-major order. Only type 0x08 (unsigned byte) is read: MNIST and
// Fashion-MNIST images are 0x00000803 [N, rows, columns], labels 0x00000801 [N].
//
// zlib's gzread reads a file that does not start with the gzip magic bytes (1f 8b) as plain
// bytes, so one code path serves `train-images-idx3-ubyte.gz` and `train-images-idx3-ubyte`.

import CNNEngine
import CZlib

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An IDX array of unsigned bytes: its extents and its values in row-major order.
public struct IDXArray: Sendable, Equatable {
    /// The extent of each dimension, outermost first (`[60000, 28, 28]` for MNIST's training images).
    public var dimensions: [Int]
    /// The values in row-major order.
    public var values: [UInt8]

    /// Creates an array from its extents and values.
    public init(dimensions: [Int], values: [UInt8]) {
        precondition(dimensions.reduce(1, *) == values.count, "IDXArray: \(dimensions) does not hold \(values.count) values")
        self.dimensions = dimensions
        self.values = values
    }
}

/// Reads IDX files of unsigned bytes, gzipped or plain.
public enum IDXReader {
    /// The IDX type byte for unsigned bytes, the only type read.
    public static let unsignedByteType: UInt8 = 0x08

    /// The largest array read, 16 GiB, so that a corrupt header fails with an error, not a crash.
    public static let maximumByteCount = 1 << 34

    /// Reads an IDX file of unsigned bytes.
    /// - Parameters:
    ///   - path: the file, gzipped (detected by its first two bytes, 1f 8b) or plain.
    ///   - rank: the number of dimensions required, or nil for any.
    /// - Throws: `DataError` for a missing file, a wrong magic number, a truncated file, trailing
    ///   bytes, or a bad gzip stream.
    public static func read(at path: String, rank: Int? = nil) throws -> IDXArray {
        try checkRegularFile(path)
        guard let file = gzopen(path, "rb") else {
            throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 18)

        var magic = [UInt8](repeating: 0, count: 4)
        try readExactly(file, into: &magic, path: path, what: "its magic number")
        let expected = rank.map { hexadecimal(0x0000_0800 | UInt32($0)) } ?? "0x000008xx"
        let found = hexadecimal(magic.reduce(0) { $0 << 8 | UInt32($1) })
        guard magic[0] == 0, magic[1] == 0, magic[2] == unsignedByteType, rank == nil || Int(magic[3]) == rank else {
            throw DataError(.wrongMagicNumber, file: path,
                            "wrong magic number \(found), expected \(expected) (IDX, unsigned bytes, \(rank.map { "\($0) dimensions" } ?? "any rank"))")
        }

        var header = [UInt8](repeating: 0, count: 4 * Int(magic[3]))
        try readExactly(file, into: &header, path: path, what: "its header")
        let dimensions = stride(from: 0, to: header.count, by: 4).map { (i: Int) -> Int in
            header[i ..< i + 4].reduce(0) { (extent: Int, byte: UInt8) in extent << 8 | Int(byte) }
        }
        var count = 1
        for extent in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= maximumByteCount else {
                throw DataError(.unsupportedContent, file: path,
                                "its header's extents \(dimensions.shapeDescription) promise more than \(maximumByteCount) bytes")
            }
            count = product
        }
        // A header may promise more than the file can hold: refuse before allocating. Deflate
        // compresses at most about 1032:1, so a gzipped file holds at most ~1100 bytes per byte.
        var info = stat()
        if stat(path, &info) == 0 {
            let fileBytes = Int(info.st_size)
            let (limit, overflow) = fileBytes.multipliedReportingOverflow(by: gzdirect(file) == 1 ? 1 : 1100)
            if !overflow && count > limit {
                throw DataError(.truncated, file: path, "truncated: its header's extents \(dimensions.shapeDescription) promise \(count) bytes, "
                                + "more than its \(fileBytes) bytes can hold")
            }
        }
        var values = [UInt8](repeating: 0, count: count)
        try readExactly(file, into: &values, path: path,
                        what: "data its header promises for extents \(dimensions.shapeDescription)")

        var extra: UInt8 = 0
        let trailing = gzread(file, &extra, 1)
        if trailing < 0 { throw compressionError(file, path: path) }
        if trailing > 0 {
            throw DataError(.inconsistentCounts, file: path,
                            "holds more bytes than its header's extents \(dimensions.shapeDescription) promise")
        }
        return IDXArray(dimensions: dimensions, values: values)
    }

    /// Reads an IDX file of images, magic number 0x00000803: extents [N, rows, columns].
    /// - Throws: `DataError`, as `read(at:rank:)` does.
    public static func readImages(at path: String) throws -> IDXArray {
        try read(at: path, rank: 3)
    }

    /// Reads an IDX file of labels, magic number 0x00000801.
    /// - Throws: `DataError`, as `read(at:rank:)` does.
    public static func readLabels(at path: String) throws -> [UInt8] {
        try read(at: path, rank: 1).values
    }

    /// Fills `buffer` from the stream, or throws naming what was being read.
    private static func readExactly(_ file: gzFile, into buffer: inout [UInt8], path: String, what: String) throws {
        let wanted = buffer.count
        var done = 0
        try buffer.withUnsafeMutableBytes { bytes in
            while done < wanted {
                let chunk = UInt32(min(wanted - done, 1 << 30))
                let n = gzread(file, bytes.baseAddress! + done, chunk)
                if n < 0 { throw compressionError(file, path: path) }
                if n == 0 { break }
                done += Int(n)
            }
        }
        guard done == wanted else {
            var errnum: Int32 = 0
            _ = gzerror(file, &errnum)
            let source = errnum == Z_BUF_ERROR ? "gzip stream" : "file"
            throw DataError(.truncated, file: path, "truncated: the \(source) ends after \(done) of the \(wanted) bytes of \(what)")
        }
    }

    /// The error for a gzip stream that zlib cannot decompress, with zlib's own words.
    private static func compressionError(_ file: gzFile, path: String) -> DataError {
        var errnum: Int32 = 0
        let message = gzerror(file, &errnum).map { String(cString: $0) } ?? "unknown error"
        return DataError(.badCompression, file: path, "bad gzip stream (zlib: \(message))")
    }
}

/// A 32-bit number as eight hexadecimal digits: `0x00000803`.
func hexadecimal(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
