// CIFAR-10, binary version (Krizhevsky 2009): `cifar-10-batches-bin/data_batch_1.bin` ... `data_batch_5.bin`,
// `test_batch.bin`, and `batches.meta.txt` with one class name a line.
//
// Each record is 3073 bytes: one label byte (0...9), then 3072 pixel bytes, 1024 red, 1024 green,
// 1024 blue, each plane row-major 32x32. A record is therefore already channels-first [3, 32, 32].

/// One CIFAR-10 batch file: images [N, 3, 32, 32] as bytes and their labels.
public struct CIFAR10Batch: Sendable, Equatable {
    /// The pixels, channels-first, N x 3 x 32 x 32 bytes.
    public var images: [UInt8]
    /// One label per image, each in 0..<10.
    public var labels: [UInt8]
    /// The number of images.
    public var count: Int { labels.count }
}

/// Reads CIFAR-10's binary batch files and its class names.
public enum CIFAR10Reader {
    /// The side of a CIFAR-10 image, 32.
    public static let side = 32
    /// The bytes of one record: a label byte then 3 x 32 x 32 pixels.
    public static let recordSize = 1 + 3 * 32 * 32
    /// The number of classes, 10.
    public static let classCount = 10

    /// Reads one batch file (`data_batch_1.bin`, `test_batch.bin`, ...).
    /// - Throws: `DataError` for a missing file, a file that is not a whole number of records,
    ///   or a label outside 0...9.
    public static func readBatch(at path: String) throws -> CIFAR10Batch {
        let bytes = try readWholeFile(path)
        let pixelsPerImage = recordSize - 1
        guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
            throw DataError(.truncated, file: path,
                            "truncated: \(bytes.count) bytes is not a whole number of \(recordSize)-byte records "
                            + "(\(bytes.count / recordSize) records and \(bytes.count % recordSize) bytes)")
        }
        let n = bytes.count / recordSize
        var labels = [UInt8](repeating: 0, count: n)
        var images = [UInt8](repeating: 0, count: n * pixelsPerImage)
        try bytes.withUnsafeBufferPointer { source in
            try images.withUnsafeMutableBufferPointer { target in
                for i in 0..<n {
                    let record = source.baseAddress! + i * recordSize
                    guard Int(record[0]) < classCount else {
                        throw DataError(.inconsistentCounts, file: path,
                                        "label \(record[0]) of record \(i) is outside 0...\(classCount - 1)")
                    }
                    labels[i] = record[0]
                    (target.baseAddress! + i * pixelsPerImage).update(from: record + 1, count: pixelsPerImage)
                }
            }
        }
        return CIFAR10Batch(images: images, labels: labels)
    }

    /// Reads `batches.meta.txt`: the class names, one a line, blank lines ignored.
    /// - Throws: `DataError` for a missing file or a count other than 10.
    public static func readClassNames(at path: String) throws -> [String] {
        let text = String(decoding: try readWholeFile(path), as: UTF8.self)
        let names = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: " \t\r") }
            .filter { !$0.isEmpty }
        guard names.count == classCount else {
            throw DataError(.inconsistentCounts, file: path, "lists \(names.count) class names, expected \(classCount)")
        }
        return names
    }
}

extension Substring {
    /// The text without the given characters at either end.
    func trimmingCharacters(in set: String) -> String {
        var s = self[...]
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
