import CNNData
import Foundation
import Testing

@Suite("IDX reader")
struct IDXReaderTests {
    @Test("reads a small gzipped and a small plain IDX file to the same bytes", arguments: [true, false])
    func smallFile(gzipped: Bool) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/images.idx"
            let values: [UInt8] = (0..<24).map { UInt8($0 * 10) }
            try writeFile(path, idxBytes(dimensions: [2, 3, 4], values: values), gzipped: gzipped)
            let array = try IDXReader.readImages(at: path)
            #expect(array.dimensions == [2, 3, 4])
            #expect(array.values == values)
            #expect(array.values[23] == 230)
        }
    }

    @Test("reads labels of rank 1")
    func labels() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/labels.gz"
            try writeFile(path, idxBytes(dimensions: [5], values: [3, 1, 4, 1, 5]), gzipped: true)
            #expect(try IDXReader.readLabels(at: path) == [3, 1, 4, 1, 5])
        }
    }

    @Test("a missing file names the file")
    func missingFile() throws {
        let error = #expect(throws: DataError.self) { try IDXReader.readImages(at: "/nonexistent/train-images.gz") }
        #expect(error?.kind == .missingFile)
        #expect(error?.description == "/nonexistent/train-images.gz: file not found")
        try withTemporaryDirectory { dir in
            let folder = #expect(throws: DataError.self) { try IDXReader.readImages(at: dir) }
            #expect(folder?.description == dir + ": is a folder, not a file")
        }
    }

    @Test("a wrong magic number names the number found and the one expected")
    func wrongMagic() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/labels-as-images.gz"
            try writeFile(path, idxBytes(dimensions: [5], values: [0, 1, 2, 3, 4]), gzipped: true)
            let error = #expect(throws: DataError.self) { try IDXReader.readImages(at: path) }
            #expect(error?.kind == .wrongMagicNumber)
            #expect(error?.description.hasPrefix(path + ": wrong magic number 0x00000801, expected 0x00000803") == true)

            let floats = dir + "/floats"
            try writeFile(floats, idxBytes(dimensions: [1], values: [0, 0, 0, 0], magic: [0, 0, 0x0D, 1]))
            let floatError = #expect(throws: DataError.self) { try IDXReader.readLabels(at: floats) }
            #expect(floatError?.description.hasPrefix(floats + ": wrong magic number 0x00000D01") == true)
        }
    }

    @Test("a truncated file says how many bytes were there", arguments: [true, false])
    func truncated(gzipped: Bool) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/short"
            let full = idxBytes(dimensions: [10, 2, 2], values: [UInt8](repeating: 1, count: 40))
            try writeFile(path, Array(full.prefix(16 + 30)), gzipped: gzipped)
            let error = #expect(throws: DataError.self) { try IDXReader.readImages(at: path) }
            #expect(error?.kind == .truncated)
            #expect(error?.description == path + ": truncated: the file ends after 30 of the 40 bytes of data its header promises for extents [10, 2, 2]")

            try writeFile(path, [0, 0], gzipped: gzipped)
            let headerError = #expect(throws: DataError.self) { try IDXReader.readImages(at: path) }
            #expect(headerError?.description == path + ": truncated: the file ends after 2 of the 4 bytes of its magic number")
        }
    }

    @Test("a gzip stream cut short is reported as truncated")
    func truncatedGzipStream() throws {
        try withTemporaryDirectory { dir in
            let whole = dir + "/whole.gz", cut = dir + "/cut.gz"
            let values = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
            try writeFile(whole, idxBytes(dimensions: [5000], values: values), gzipped: true)
            let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: whole)))
            try writeFile(cut, Array(compressed.prefix(compressed.count / 2)))
            let error = #expect(throws: DataError.self) { try IDXReader.readLabels(at: cut) }
            #expect(error?.kind == .truncated)
            #expect(error?.description.hasPrefix(cut + ": truncated: the gzip stream ends after") == true)
        }
    }

    @Test("a corrupt gzip stream gives zlib's reason")
    func badGzip() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/corrupt.gz"
            // The gzip magic bytes and header, then a deflate block of the reserved type 3.
            try writeFile(path, [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
            let error = #expect(throws: DataError.self) { try IDXReader.readLabels(at: path) }
            #expect(error?.kind == .badCompression)
            #expect(error?.description.hasPrefix(path + ": bad gzip stream (zlib: ") == true)
        }
    }

    @Test("bytes after the data are an inconsistency")
    func trailingBytes() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/long"
            try writeFile(path, idxBytes(dimensions: [2], values: [1, 2, 3]))
            let error = #expect(throws: DataError.self) { try IDXReader.readLabels(at: path) }
            #expect(error?.kind == .inconsistentCounts)
            #expect(error?.description == path + ": holds more bytes than its header's extents [2] promise")
        }
    }
}
