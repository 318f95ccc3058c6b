// Normalisation: which data values map to the ends of a colour map.

/// A closed interval of data values mapped onto 0...1 before colouring.
public struct ValueRange: Sendable, Equatable, Hashable {
    /// The value drawn with the colour map's first colour.
    public var lower: Double
    /// The value drawn with the colour map's last colour.
    public var upper: Double

    /// Creates a range; `lower` may equal `upper` (then every value maps to 0.5).
    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// Smallest to largest finite value (per-image min-max); 0...1 when there is none.
    public static func minMax<C: Collection>(of values: C) -> ValueRange where C.Element: BinaryFloatingPoint {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values {
            let d = Double(v)
            guard d.isFinite else { continue }
            lo = min(lo, d)
            hi = max(hi, d)
        }
        return lo <= hi ? ValueRange(lo, hi) : ValueRange(0, 1)
    }

    /// `-m...m` where m is the largest absolute finite value, so zero sits in the middle of the map.
    public static func symmetric<C: Collection>(of values: C) -> ValueRange where C.Element: BinaryFloatingPoint {
        let r = minMax(of: values)
        let m = max(abs(r.lower), abs(r.upper))
        return m > 0 ? ValueRange(-m, m) : ValueRange(-1, 1)
    }

    /// One min-max range over several arrays, so images share a scale and compare directly.
    public static func common<C: Collection>(_ arrays: [C]) -> ValueRange where C.Element: BinaryFloatingPoint {
        let ranges = arrays.filter { !$0.isEmpty }.map { minMax(of: $0) }
        guard let first = ranges.first else { return ValueRange(0, 1) }
        return ranges.dropFirst().reduce(first) { ValueRange(min($0.lower, $1.lower), max($0.upper, $1.upper)) }
    }

    /// One symmetric range over several arrays: `-m...m` with m the largest absolute value in any of them.
    public static func symmetricCommon<C: Collection>(_ arrays: [C]) -> ValueRange where C.Element: BinaryFloatingPoint {
        let r = common(arrays)
        let m = max(abs(r.lower), abs(r.upper))
        return m > 0 ? ValueRange(-m, m) : ValueRange(-1, 1)
    }

    /// A range symmetric about zero that ends at the `quantile` of |x| over all arrays (0.99: the
    /// strongest 1 % saturate instead of one outlier washing out every other value).
    public static func symmetricQuantile<C: Collection>(_ arrays: [C], quantile: Double) -> ValueRange where C.Element: BinaryFloatingPoint {
        let magnitudes = arrays.flatMap { $0.map { abs(Double($0)) } }.filter(\.isFinite).sorted()
        guard !magnitudes.isEmpty else { return ValueRange(-1, 1) }
        let index = min(magnitudes.count - 1, max(0, Int((Double(magnitudes.count - 1) * quantile).rounded())))
        let m = magnitudes[index] > 0 ? magnitudes[index] : magnitudes.last!
        return m > 0 ? ValueRange(-m, m) : ValueRange(-1, 1)
    }

    /// `(value - lower) / (upper - lower)`, clamped to 0...1; 0.5 for an empty range; NaN stays NaN.
    public func normalized(_ value: Double) -> Double {
        guard !value.isNaN else { return .nan }
        let span = upper - lower
        guard span > 0 else { return 0.5 }
        return min(max((value - lower) / span, 0), 1)
    }

    /// Every value normalised into 0...1.
    public func normalized(_ values: [Float]) -> [Float] {
        values.map { Float(normalized(Double($0))) }
    }
}
