// PDF and SVG header checks for the CNNPlot tests (PNG sizes and temporary folders come from _TestSupport).

import Foundation
import Testing
import _TestSupport

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
