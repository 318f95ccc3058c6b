// Files the tests write themselves, in the real formats, and paths into the repository.

import CZlib
import Foundation

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A path inside the repository.
func repositoryPath(_ relative: String) -> String { packageRoot + "/" + relative }

/// A fresh, empty temporary folder, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("CNNDataTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// Writes bytes to a file, gzipped through zlib's gzwrite or plain.
func writeFile(_ path: String, _ bytes: [UInt8], gzipped: Bool = false) throws {
    if gzipped {
        guard let file = gzopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
        let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        guard gzclose(file) == Z_OK, Int(written) == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    } else {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// The bytes of an IDX file of unsigned bytes: magic 0x0000 08 <rank>, big-endian extents, values.
func idxBytes(dimensions: [Int], values: [UInt8], magic: [UInt8]? = nil) -> [UInt8] {
    var bytes = magic ?? [0, 0, 0x08, UInt8(dimensions.count)]
    for d in dimensions {
        bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)]
    }
    return bytes + values
}

/// Writes a small MNIST-like data set (four IDX files) into `directory`; image i, pixel p holds (i * 7 + p) % 256.
func writeSmallMNIST(in directory: String, trainCount: Int = 12, testCount: Int = 5, rows: Int = 4, columns: Int = 3,
                     gzipped: Bool = true) throws {
    let suffix = gzipped ? ".gz" : ""
    for (prefix, n) in [("train", trainCount), ("t10k", testCount)] {
        let pixels = (0..<n * rows * columns).map { UInt8(($0 / (rows * columns) * 7 + $0 % (rows * columns)) % 256) }
        try writeFile(directory + "/\(prefix)-images-idx3-ubyte" + suffix,
                      idxBytes(dimensions: [n, rows, columns], values: pixels), gzipped: gzipped)
        try writeFile(directory + "/\(prefix)-labels-idx1-ubyte" + suffix,
                      idxBytes(dimensions: [n], values: (0..<n).map { UInt8($0 % 10) }), gzipped: gzipped)
    }
}

/// The bytes of CIFAR-10 records: label, then 3072 pixels; record r, pixel p holds (r * 11 + p) % 256.
func cifarRecords(labels: [UInt8]) -> [UInt8] {
    labels.enumerated().flatMap { r, label in [label] + (0..<3072).map { UInt8((r * 11 + $0) % 256) } }
}
