import CNNData
import CNNEngine
import Foundation
import Testing

/// Bad data files end in one `DataError` naming the file, quickly: no hang, no huge allocation.
@Suite("Bad data files")
struct BadInputTests {
    @Test func aFIFONamedPNGIsRefusedNotOpened() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/pipe.png"
            try #require(mkfifo(path, 0o600) == 0)
            let error = #expect(throws: DataError.self) { try PNGImage(contentsOf: path) }
            #expect(error?.description == path + ": is not a regular file (a FIFO, socket or device); only regular files are read as data")
            let idx = #expect(throws: DataError.self) { try IDXReader.read(at: path) }
            #expect(idx?.kind == .unreadable)
        }
    }

    @Test func aPNGDeclaringAHugeImageIsRefusedBeforeDecoding() throws {
        try withTemporaryDirectory { dir in
            // A valid small PNG whose IHDR is rewritten to 20000 x 20000.
            let path = dir + "/huge.png"
            try PNGImage(width: 3, height: 2, grey: [1, 2, 3, 4, 5, 6]).write(to: path)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            for (offset, value) in [(16, 20000), (20, 20000)] {
                for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (24 - 8 * k)) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: DataError.self) { try PNGImage(contentsOf: path) }
            #expect(error?.description.contains("declares a 20000x20000 image; images are read up to 16384 pixels a side") == true)

            // Truncated data: one sentence, not Cairo's "out of memory".
            try PNGImage(width: 16, height: 16, grey: (0..<256).map { UInt8($0) }).write(to: path)
            let whole = try Data(contentsOf: URL(fileURLWithPath: path))
            try whole.prefix(whole.count - 20).write(to: URL(fileURLWithPath: path))
            let truncated = #expect(throws: DataError.self) { try PNGImage(contentsOf: path) }
            #expect(truncated?.description == path + ": not a readable PNG: the image data is truncated or corrupt")
        }
    }

    @Test func anIDXHeaderPromisingMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/images-idx3-ubyte"
            // 100,000 images of 28 x 28 (78 MB) in a 16-byte file.
            try Data([0, 0, 8, 3, 0, 0x01, 0x86, 0xA0, 0, 0, 0, 28, 0, 0, 0, 28]).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: DataError.self) { try IDXReader.readImages(at: path) }
            #expect(error?.kind == .truncated)
            #expect(error?.description.contains("more than its 16 bytes can hold") == true)
        }
    }

    @Test func anEmptyClassFolderIsRefused() throws {
        try withTemporaryDirectory { dir in
            for name in ["cat", "dog"] {
                try FileManager.default.createDirectory(atPath: "\(dir)/train/\(name)", withIntermediateDirectories: true)
            }
            try PNGImage(width: 2, height: 2, grey: [1, 2, 3, 4]).write(to: dir + "/train/cat/0.png")
            let error = #expect(throws: DataError.self) { try Dataset(imageFolder: dir + "/train") }
            #expect(error?.description == dir + "/train/dog: class folder \"dog\" holds no .png images; every class needs at least one (remove the folder to drop the class)")
        }
    }

    @Test func aModelOfOtherClassesCannotBeScored() throws {
        let three = try Dataset(name: "toy", images: [UInt8](repeating: 0, count: 12), labels: [0, 1, 2], channels: 1, height: 2, width: 2,
                                classNames: ["a", "b", "c"])
        let error = #expect(throws: ConfigurationError.self) { try checkClasses(2, of: three) }
        #expect(error?.description.contains("the model has 2 classes, but toy has 3 (a, b, c)") == true)
        try checkClasses(3, of: three)
    }
}
