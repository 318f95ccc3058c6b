// Helpers that read back the headers of written files, and give each test its own directory.

import Foundation
import Testing

/// A fresh empty directory for one test.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("CNNPlotTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Width and height from a PNG's IHDR chunk, or nil when the signature or chunk is wrong.
func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let bytes = [UInt8](data)
    guard bytes.count >= 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
          String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR" else { return nil }
    func bigEndian(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (bigEndian(16), bigEndian(20))
}

/// The PDF's text as Latin-1 (its structure is ASCII; streams may be binary).
func pdfText(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

/// Number of page objects in a PDF written by Cairo (uncompressed object dictionaries).
func pdfPageCount(_ text: String) -> Int {
    let regex = try! NSRegularExpression(pattern: "/Type\\s*/Page(?![a-zA-Z])")
    return regex.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
}

/// The numbers of every /MediaBox in a PDF.
func pdfMediaBoxes(_ text: String) -> [[Double]] {
    let regex = try! NSRegularExpression(pattern: "/MediaBox\\s*\\[([^\\]]*)\\]")
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
        let inner = String(text[Range(match.range(at: 1), in: text)!])
        return inner.split(separator: " ").compactMap { Double($0) }
    }
}

/// The width and height attributes of an SVG's root element.
func svgSize(_ text: String) -> (width: String, height: String)? {
    guard let start = text.range(of: "<svg") else { return nil }
    let tag = text[start.lowerBound...].prefix { $0 != ">" }
    func attribute(_ name: String) -> String? {
        guard let r = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[r.upperBound...].prefix { $0 != "\"" })
    }
    guard let width = attribute("width"), let height = attribute("height") else { return nil }
    return (width, height)
}
