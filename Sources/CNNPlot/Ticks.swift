// Choosing axis tick values: 1-2-5 steps (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).

import Foundation

/// Tick values for chart axes and colour bars.
public enum Ticks {
    /// Evenly spaced ticks with a 1, 2 or 5 x 10^k step that cover `lower...upper`, ending on ticks.
    ///
    /// Heckbert's loose labelling: `0...97` gives `0, 20, ..., 100`; `0...1` gives `0, 0.2, ..., 1`.
    /// - Parameter targetCount: About how many ticks to produce.
    public static func linear(covering lower: Double, _ upper: Double, targetCount: Int = 6) -> [Double] {
        let (lo, hi) = widened(lower, upper)
        let step = self.step(lo, hi, targetCount: targetCount)
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        return ticks(from: first, to: last, step: step)
    }

    /// Ticks with a 1, 2 or 5 x 10^k step that lie inside `lower...upper` (for colour bars and fixed ranges).
    public static func linear(within lower: Double, _ upper: Double, targetCount: Int = 6) -> [Double] {
        let (lo, hi) = widened(lower, upper)
        let step = self.step(lo, hi, targetCount: targetCount)
        // A little slack so an end that is a multiple of the step up to rounding still gets its tick.
        let slack = 1e-9 * max(abs(lo), abs(hi), step)
        let first = ((lo - slack) / step).rounded(.up), last = ((hi + slack) / step).rounded(.down)
        return ticks(from: first, to: last, step: step)
    }

    /// Ticks for a logarithmic axis covering `lower...upper` (both positive): powers of ten,
    /// with 2 and 5 times them added when the range spans less than two decades.
    public static func logarithmic(covering lower: Double, _ upper: Double) -> [Double] {
        precondition(lower > 0 && upper > 0,
                     "Ticks.logarithmic: range must be positive, got \(lower)...\(upper)")
        let lo = min(lower, upper), hi = max(lower, upper)
        let firstDecade = Int((log10(lo) + 1e-9).rounded(.down))
        let lastDecade = max(Int((log10(hi) - 1e-9).rounded(.up)), firstDecade + 1)
        let decades = lastDecade - firstDecade
        if decades < 2 {
            // Few decades: 1-2-5 within each, trimmed to the first and last ticks around the data.
            var values: [Double] = []
            for e in firstDecade...lastDecade {
                for m in [1.0, 2, 5] { values.append(m * pow(10, Double(e))) }
            }
            values = values.filter { $0 <= pow(10, Double(lastDecade)) * 1.000001 }
            let start = values.lastIndex { $0 <= lo * 1.000001 } ?? 0
            let end = values.firstIndex { $0 >= hi / 1.000001 } ?? values.count - 1
            return Array(values[start...end])
        }
        let every = max(1, Int((Double(decades) / 7).rounded(.up)))
        let startDecade = Int((Double(firstDecade) / Double(every)).rounded(.down)) * every
        return stride(from: startDecade, through: lastDecade + every - 1, by: every).map { pow(10, Double($0)) }
    }

    /// Heckbert's "nice number": 1, 2, 5 or 10 times a power of ten near `x` (rounded, or else the one above).
    public static func niceNumber(_ x: Double, rounding: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = log10(x).rounded(.down)
        let fraction = x / pow(10, exponent)
        let nice: Double
        if rounding {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }

    private static func step(_ lo: Double, _ hi: Double, targetCount: Int) -> Double {
        let range = niceNumber(hi - lo, rounding: false)
        return niceNumber(range / Double(max(targetCount - 1, 1)), rounding: true)
    }

    private static func ticks(from first: Double, to last: Double, step: Double) -> [Double] {
        guard first <= last else { return [] }
        // Multiplying (not accumulating) keeps 0.6 from becoming 0.6000000000000001; the snap removes the rest.
        return stride(from: first, through: last, by: 1).map { k in
            let v = k * step
            let decimals = max(0, -log10(step).rounded(.down) + 1)
            let scale = pow(10, decimals)
            return (v * scale).rounded() / scale
        }
    }

    private static func widened(_ lower: Double, _ upper: Double) -> (Double, Double) {
        var lo = min(lower, upper), hi = max(lower, upper)
        if !lo.isFinite || !hi.isFinite { return (0, 1) }
        if hi - lo < 1e-12 * max(abs(lo), 1) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        return (lo, hi)
    }
}
