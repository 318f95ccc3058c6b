import CNNData
import CNNEngine
import Foundation
import Testing
import _TestSupport

/// Thousands of corrupted data files, seeded: each read ends in a `DataError` naming the file, or
/// in a result consistent with its header; never a crash, a hang or a huge allocation.
@Suite("Fuzzing: IDX, CIFAR-10 and PNG readers")
struct DataFuzzTests {
    /// Seconds per reader: a slow machine runs fewer cases, never longer.
    static let budget = 4.0

    /// Reads every case of `original` with `read`, which returns nil or a consistency complaint.
    func fuzz(_ original: [UInt8], name: String, count: Int, seed: UInt64, gzipped: Bool = false,
              read: (String) throws -> String?) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/" + name
            var outcomes = (errors: 0, results: 0)
            let done = try forEachFuzzCase(fuzzCases(of: original, count: count, seed: seed), seconds: Self.budget) { c in
                try writeFile(path, c.bytes, gzipped: gzipped)
                do {
                    if let complaint = try read(path) { Issue.record("\(name), \(c.what): \(complaint)") }
                    outcomes.results += 1
                } catch let error as DataError {
                    #expect(error.file.hasPrefix(dir), "\(name), \(c.what): the error names \(error.file)")
                    outcomes.errors += 1
                } catch {
                    Issue.record("\(name), \(c.what): \(type(of: error)), not a DataError: \(error)")
                }
            }
            #expect(done >= min(count, 100), "only \(done) cases in \(Self.budget) s")
            #expect(outcomes.errors > 0)
        }
    }

    @Test(arguments: [false, true])
    func idx(gzipped: Bool) throws {
        var g = SeededGenerator(seed: 1)
        let original = idxBytes(dimensions: [20, 8, 8], values: (0..<1280).map { _ in UInt8(truncatingIfNeeded: g.next()) })
        try fuzz(original, name: "images-idx3-ubyte", count: 1500, seed: gzipped ? 11 : 12, gzipped: gzipped) { path in
            let array = try IDXReader.read(at: path)
            return array.values.count == array.dimensions.reduce(1, *) ? nil : "\(array.values.count) values for \(array.dimensions)"
        }
    }

    @Test func cifar10() throws {
        let original = cifarRecords(labels: [3, 9, 0])
        try fuzz(original, name: "data_batch_1.bin", count: 1500, seed: 13) { path in
            let batch = try CIFAR10Reader.readBatch(at: path)
            guard batch.images.count == batch.count * 3072, batch.labels.allSatisfy({ $0 < 10 }) else {
                return "\(batch.count) labels, \(batch.images.count) pixel bytes"
            }
            return nil
        }
        let names = Array("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n".utf8)
        try fuzz(names, name: "batches.meta.txt", count: 600, seed: 14) { path in
            let read = try CIFAR10Reader.readClassNames(at: path)
            return read.count == 10 ? nil : "\(read.count) class names"
        }
    }

    @Test(arguments: [false, true])
    func png(colour: Bool) throws {
        let original = try withTemporaryDirectory { dir -> [UInt8] in
            let pixels = (0..<(colour ? 3 : 1) * 64).map { UInt8($0 * 37 % 256) }
            let image = colour ? PNGImage(width: 8, height: 8, rgb: pixels) : PNGImage(width: 8, height: 8, grey: pixels)
            try image.write(to: dir + "/x.png")
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/x.png")))
        }
        try fuzz(original, name: "image.png", count: 1500, seed: colour ? 15 : 16) { path in
            let image = try PNGImage(contentsOf: path)
            guard image.width >= 1, image.height >= 1, image.width * image.height <= PNGImage.maximumPixels,
                  image.rgb.count == 3 * image.width * image.height else {
                return "\(image.width)x\(image.height) with \(image.rgb.count) colour bytes"
            }
            return nil
        }
    }
}
