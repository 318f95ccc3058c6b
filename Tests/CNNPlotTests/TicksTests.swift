import CNNPlot
import Foundation
import Testing

@Suite("Nice tick values")
struct TicksTests {
    private func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) }
    }

    @Test("0...1 gives 0, 0.2, ..., 1")
    func unitRange() {
        #expect(close(Ticks.linear(covering: 0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]))
    }

    @Test("0...97 gives 0, 20, ..., 100")
    func loosePercent() {
        #expect(Ticks.linear(covering: 0, 97) == [0, 20, 40, 60, 80, 100])
    }

    @Test("ticks are multiples of 1, 2 or 5 x 10^k and cover the data", arguments: [
        (0.03, 2.31), (-3.7, 12.2), (1.0, 20.0), (1e-4, 3e-4), (980.0, 1020.0), (-1.0, -0.2),
    ])
    func covering(lower: Double, upper: Double) {
        let ticks = Ticks.linear(covering: lower, upper)
        #expect(ticks.count >= 3 && ticks.count <= 11)
        #expect(ticks.first! <= lower && ticks.last! >= upper)
        let step = ticks[1] - ticks[0]
        let mantissa = step / pow(10, floor(log10(step)))
        #expect([1.0, 2, 5, 10].contains { abs($0 - mantissa) < 1e-6 })
    }

    @Test("ticks within a range stay inside it")
    func within() {
        #expect(close(Ticks.linear(within: -0.83, 0.83, targetCount: 5), [-0.5, 0, 0.5]))
        #expect(Ticks.linear(within: 0, 100) == [0, 20, 40, 60, 80, 100])
    }

    @Test("a single value still gets ticks around it")
    func degenerate() {
        let ticks = Ticks.linear(covering: 5, 5)
        #expect(ticks.first! < 5 && ticks.last! > 5)
    }

    @Test("log ticks are powers of ten over several decades")
    func logDecades() {
        #expect(close(Ticks.logarithmic(covering: 0.003, 2.5), [0.001, 0.01, 0.1, 1, 10]))
        #expect(close(Ticks.logarithmic(covering: 1, 1000), [1, 10, 100, 1000]))
    }

    @Test("log ticks add 2 and 5 within a single decade")
    func logOneDecade() {
        #expect(close(Ticks.logarithmic(covering: 0.2, 0.8), [0.2, 0.5, 1]))
        #expect(close(Ticks.logarithmic(covering: 0.15, 0.9), [0.1, 0.2, 0.5, 1]))
    }

    @Test("log ticks thin out over many decades")
    func logManyDecades() {
        let ticks = Ticks.logarithmic(covering: 1e-12, 1e3)
        #expect(ticks.count <= 9)
        #expect(ticks.first! <= 1e-12 && ticks.last! >= 1e3)
    }

    @Test("tick labels share their decimals and use a true minus")
    func labels() {
        #expect(formatTickLabels([0, 0.2, 0.4, 1]) == ["0.0", "0.2", "0.4", "1.0"])
        #expect(formatTickLabels([-20, 0, 20]) == ["\u{2212}20", "0", "20"])
        #expect(formatTickLabels([0, 0.25, 0.5]) == ["0.00", "0.25", "0.50"])
        #expect(formatTickLabels([0, 1e7, 2e7]) == ["0", "10M", "20M"])
        // One format per axis: all powers of ten as 10ⁿ when one of them needs it, else all plain.
        #expect(formatTickLabels([1e-4, 1e-2, 1, 1e6], logarithmic: true) == ["10\u{207B}\u{2074}", "10\u{207B}\u{00B2}", "10\u{2070}", "10\u{2076}"])
        #expect(formatTickLabels([0.01, 0.1, 1, 10], logarithmic: true) == ["0.01", "0.1", "1", "10"])
        // One axis, one format: 0.001 and 1,000,000 stay plain numbers; one tick beyond either makes every tick a power.
        #expect(formatTickLabels([0.001, 0.01, 0.1, 1], logarithmic: true) == ["0.001", "0.01", "0.1", "1"])
        #expect(formatTickLabels([1, 10, 100, 1e7], logarithmic: true) == ["10\u{2070}", "10\u{00B9}", "10\u{00B2}", "10\u{2077}"])
    }

    @Test("cell numbers are short")
    func cellNumbers() {
        #expect(formatNumber(300) == "300")
        #expect(formatNumber(-0.5) == "\u{2212}0.5")
        #expect(formatNumber(3.14159) == "3.14")
        #expect(formatNumber(-0.0001) == "0")
    }
}
