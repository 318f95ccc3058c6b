import CNNPlot
import Testing

@Suite("Colour maps and normalisation")
struct ColorMapTests {
    @Test("viridis runs from #440154 through #21918C to #FDE725")
    func viridisEnds() {
        #expect(ColorMap.viridis.color(at: 0).hexString == "#440154")
        #expect(ColorMap.viridis.color(at: 1).hexString == "#FDE725")
        #expect(ColorMap.viridis.stops.count == 256)
        // 0.5 lies between entries 127 (#21918D) and 128 (#21918C).
        let middle = ColorMap.viridis.color(at: 0.5)
        #expect(abs(middle.red - 0x21 / 255.0) < 1.0 / 255)
        #expect(abs(middle.green - 0x91 / 255.0) < 1.0 / 255)
        #expect(abs(middle.blue - 0x8C / 255.0) < 1.5 / 255)
    }

    @Test("viridis gets lighter all the way (perceptually ordered)")
    func viridisMonotoneLuminance() {
        let luminances = (0...50).map { ColorMap.viridis.color(at: Double($0) / 50).luminance }
        #expect(zip(luminances, luminances.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("greys run from black to white through middle grey")
    func greys() {
        #expect(ColorMap.greys.color(at: 0) == .black)
        #expect(ColorMap.greys.color(at: 1) == .white)
        #expect(ColorMap.greys.color(at: 0.5).hexString == "#808080")
    }

    @Test("the diverging map is white at its centre, blue below and red above")
    func diverging() {
        #expect(ColorMap.diverging.color(at: 0.5) == .white)
        let low = ColorMap.diverging.color(at: 0), high = ColorMap.diverging.color(at: 1)
        #expect(low.blue > low.red)
        #expect(high.red > high.blue)
    }

    @Test("a symmetric range puts zero on white")
    func symmetricZeroIsWhite() {
        let weights: [Float] = [-0.25, 0.125, 0.75, -0.5]
        let range = ValueRange.symmetric(of: weights)
        #expect(range == ValueRange(-0.75, 0.75))
        #expect(ColorMap.diverging.color(at: range.normalized(0)) == .white)
    }

    @Test("values are clamped and NaN gets the missing colour")
    func clampingAndNaN() {
        #expect(ColorMap.viridis.color(at: -3) == ColorMap.viridis.color(at: 0))
        #expect(ColorMap.viridis.color(at: 7) == ColorMap.viridis.color(at: 1))
        #expect(ColorMap.viridis.color(at: .nan) == ColorMap.viridis.missingColor)
    }

    @Test("min-max, common and symmetric ranges")
    func ranges() {
        let a: [Float] = [1, 2, 3], b: [Float] = [-4, 0]
        #expect(ValueRange.minMax(of: a) == ValueRange(1, 3))
        #expect(ValueRange.common([a, b]) == ValueRange(-4, 3))
        #expect(ValueRange.symmetricCommon([a, b]) == ValueRange(-4, 4))
        #expect(ValueRange(1, 3).normalized(a) == [0, 0.5, 1])
        #expect(ValueRange(2, 2).normalized(2) == 0.5)
        #expect(ValueRange.minMax(of: [Float.nan, 5]) == ValueRange(5, 5))
    }

    @Test("hex strings round-trip")
    func hex() {
        #expect(RGBColor(hexString: "#FDE725")?.hexString == "#FDE725")
        #expect(RGBColor(hexString: "nope") == nil)
    }
}
