import CNNData
import Foundation
import Testing

@Suite("CIFAR-10 reader")
struct CIFAR10ReaderTests {
    @Test("reads records to channels-first images and labels")
    func batch() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/data_batch_1.bin"
            try writeFile(path, cifarRecords(labels: [6, 9, 0]))
            let batch = try CIFAR10Reader.readBatch(at: path)
            #expect(batch.count == 3)
            #expect(batch.labels == [6, 9, 0])
            #expect(batch.images.count == 3 * 3072)
            // Record 1: red plane starts at 11, green at (11 + 1024) % 256 = 11, blue pixel (31, 31) = (11 + 3071) % 256.
            #expect(batch.images[3072] == 11)
            #expect(batch.images[3072 + 1024 + 5] == 16)
            #expect(batch.images[2 * 3072 - 1] == UInt8((11 + 3071) % 256))
        }
    }

    @Test("a file that is not whole records is truncated")
    func truncated() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/test_batch.bin"
            try writeFile(path, Array(cifarRecords(labels: [1, 2]).dropLast(100)))
            let error = #expect(throws: DataError.self) { try CIFAR10Reader.readBatch(at: path) }
            #expect(error?.kind == .truncated)
            #expect(error?.description == path + ": truncated: 6046 bytes is not a whole number of 3073-byte records (1 records and 2973 bytes)")
        }
    }

    @Test("a label outside 0...9 names the record")
    func badLabel() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/data_batch_2.bin"
            try writeFile(path, cifarRecords(labels: [1, 10]))
            let error = #expect(throws: DataError.self) { try CIFAR10Reader.readBatch(at: path) }
            #expect(error?.kind == .inconsistentCounts)
            #expect(error?.description == path + ": label 10 of record 1 is outside 0...9")
        }
    }

    @Test("reads class names from batches.meta.txt and rejects a short list")
    func classNames() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/batches.meta.txt"
            try writeFile(path, Array((Dataset.cifar10ClassNames.joined(separator: "\n") + "\n\n").utf8))
            #expect(try CIFAR10Reader.readClassNames(at: path) == Dataset.cifar10ClassNames)
            try writeFile(path, Array("cat\ndog\n".utf8))
            let error = #expect(throws: DataError.self) { try CIFAR10Reader.readClassNames(at: path) }
            #expect(error?.description == path + ": lists 2 class names, expected 10")
        }
    }

    @Test("the CIFAR-10 loader joins five training batches and reads the test batch")
    func loader() throws {
        try withTemporaryDirectory { dir in
            let folder = dir + "/cifar-10-batches-bin"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for b in 1...5 { try writeFile(folder + "/data_batch_\(b).bin", cifarRecords(labels: [UInt8(b), UInt8(b + 1)])) }
            try writeFile(folder + "/test_batch.bin", cifarRecords(labels: [3]))
            let (train, test) = try Dataset.cifar10(directory: dir)
            #expect(train.count == 10)
            #expect(train.labels == [1, 2, 2, 3, 3, 4, 4, 5, 5, 6])
            #expect(train.imageShape == [3, 32, 32])
            #expect(train.image(at: 1).first == 11)
            #expect(test.count == 1 && test.labels == [3])
            #expect(test.classNames[3] == "cat")

            try FileManager.default.removeItem(atPath: folder + "/data_batch_4.bin")
            let error = #expect(throws: DataError.self) { try Dataset.cifar10(directory: folder) }
            #expect(error?.description == folder + "/data_batch_4.bin: file not found")
        }
    }
}
