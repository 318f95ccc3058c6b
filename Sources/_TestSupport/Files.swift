// File helpers shared by the test targets: a folder per test, and the headers of written PNG, PDF and SVG files.
import Foundation

/// A fresh empty folder for one test, under the system's temporary directory.
public func temporaryFolder(_ prefix: String = "cnnbench-tests") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A PNG's pixel size.
public struct PixelSize: Equatable, CustomStringConvertible, Sendable {
    public var width: Int
    public var height: Int
    public init(_ width: Int, _ height: Int) { self.width = width; self.height = height }
    public var description: String { "\(width)x\(height)" }
}

/// Width and height from a PNG's IHDR chunk, or nil when the signature or chunk is wrong.
public func pngSize(_ data: Data) -> PixelSize? {
    let bytes = [UInt8](data)
    guard bytes.count >= 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
          String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR" else { return nil }
    func bigEndian(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return PixelSize(bigEndian(16), bigEndian(20))
}

/// The pixel size of the PNG file at `path`, or nil when it is missing or not a PNG.
public func pngSize(atPath path: String) -> PixelSize? {
    FileManager.default.contents(atPath: path).flatMap(pngSize)
}

/// Whether the file at `path` starts with `%PDF`.
public func isPDF(atPath path: String) -> Bool {
    FileManager.default.contents(atPath: path).map { $0.prefix(4) == Data("%PDF".utf8) } ?? false
}

/// A PDF's bytes as text (its structure is ASCII; streams may be binary).
public func pdfText(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

/// Number of page objects in a PDF written by Cairo (uncompressed object dictionaries).
public func pdfPageCount(_ text: String) -> Int {
    let regex = try! NSRegularExpression(pattern: "/Type\\s*/Page(?![a-zA-Z])")
    return regex.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
}
