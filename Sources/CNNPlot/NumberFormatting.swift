// Short, typographically correct numbers for cells, ticks and labels.

import Foundation

/// Formats a number as briefly as possible: `300`, `-0.5`, `3.25`, with a true minus sign (U+2212).
///
/// Whole numbers get no decimals; others get at most `maximumFractionDigits`, without trailing zeros.
public func formatNumber(_ value: Double, maximumFractionDigits: Int = 2) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
    var text = String(format: "%.\(max(0, maximumFractionDigits))f", value)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    if text == "-0" { text = "0" }
    return text.replacingOccurrences(of: "-", with: "\u{2212}")
}

/// Formats every value with the same number of decimals, the fewest that show them all exactly.
///
/// Values of a million or more are written with an SI suffix (`2.5M`), and the powers of ten
/// of a logarithmic axis all as `10⁻⁴` when any of them is very small or very large.
public func formatTickLabels(_ values: [Double], logarithmic: Bool = false) -> [String] {
    if logarithmic {
        // One format for the whole axis: powers of ten as 10⁻⁴ when any of them is very small or very
        // large (below 0.001, above 1,000,000), else every tick as a plain number (0.001, 0.01, 0.1, 1, 1,000,000).
        let exponents = values.map { log10($0) }
        let allPowers = exponents.allSatisfy { abs($0 - $0.rounded()) < 1e-9 }
        if allPowers, exponents.contains(where: { $0 < -3.5 || $0 > 6.5 }) {
            return exponents.map { "10" + superscript(Int($0.rounded())) }
        }
        return values.map { v in formatNumber(v, maximumFractionDigits: max(0, Int(ceil(-log10(v) - 1e-9)))) }
    }
    let largest = values.map(abs).max() ?? 0
    let (divisor, suffix): (Double, String) = largest >= 1e9 ? (1e9, "G") : largest >= 1e6 ? (1e6, "M") : (1, "")
    let scaled = values.map { $0 / divisor }
    var decimals = 0
    while decimals < 8, !scaled.allSatisfy({ v in
        let shifted = v * pow(10, Double(decimals))
        return abs(shifted - shifted.rounded()) < 1e-6 * max(1, abs(shifted))
    }) {
        decimals += 1
    }
    return scaled.map { v in
        var text = String(format: "%.\(decimals)f", v)
        if Double(text) == 0 { text = String(format: "%.\(decimals)f", 0.0) }
        return text.replacingOccurrences(of: "-", with: "\u{2212}") + (v == 0 ? "" : suffix)
    }
}

/// An integer written in Unicode superscript digits, such as `⁻³`.
func superscript(_ n: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    let body = String(abs(n)).map { digits[Int(String($0))!] }
    return (n < 0 ? "⁻" : "") + String(body)
}
