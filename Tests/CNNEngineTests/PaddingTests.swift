import CKernels
import CNNEngine
import Testing

/// The direct kernels' padding (one plane per channel, or four stride-2 phase planes) against the
/// obvious loops, on every path this CPU has, including crops (negative offsets), planes wider than
/// several vectors and planes smaller than the source; nothing is written outside the planes.
@Suite("Padding for the direct kernels")
struct PaddingTests {
    /// (channels, srcH, srcW, top, left, height, width) of a destination.
    typealias Shape = (channels: Int, srcH: Int, srcW: Int, top: Int, left: Int, height: Int, width: Int)

    static let shapes: [Shape] = {
        var generator = SeededGenerator(seed: 7)
        var shapes: [Shape] = [(16, 32, 32, 1, 1, 34, 34), (3, 8, 8, 1, 1, 10, 10), (2, 40, 40, 2, 2, 18, 43),
                               (1, 5, 70, 0, 0, 5, 70), (2, 7, 9, -1, -2, 4, 5), (1, 1, 1, 3, 3, 7, 33)]
        for _ in 0..<200 {
            func draw(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(generator.next() % UInt64(range.count)) }
            shapes.append((draw(1...3), draw(1...40), draw(1...40), draw(-1...3), draw(-1...3), draw(1...45), draw(1...45)))
        }
        return shapes
    }()

    static let sentinel: Float = -7

    func source(_ s: Shape) -> [Float] { (0..<s.channels * s.srcH * s.srcW).map { Float($0 + 1) } }

    /// Element (c, r, q) of a plane: the source at (r - top, q - left), or 0.
    func naivePad(_ s: Shape, _ x: [Float]) -> [Float] {
        var out: [Float] = []
        for c in 0..<s.channels {
            for r in 0..<s.height {
                for q in 0..<s.width {
                    let sr = r - s.top, sq = q - s.left
                    out.append(sr >= 0 && sr < s.srcH && sq >= 0 && sq < s.srcW ? x[(c * s.srcH + sr) * s.srcW + sq] : 0)
                }
            }
        }
        return out
    }

    /// Phase (py, px) at (r, q): the padded source at (2r + py, 2q + px).
    func naivePhases(_ s: Shape, _ x: [Float]) -> [Float] {
        var out: [Float] = []
        for c in 0..<s.channels {
            for phase in 0..<4 {
                for r in 0..<s.height {
                    for q in 0..<s.width {
                        let sr = 2 * r + phase / 2 - s.top, sq = 2 * q + phase % 2 - s.left
                        out.append(sr >= 0 && sr < s.srcH && sq >= 0 && sq < s.srcW ? x[(c * s.srcH + sr) * s.srcW + sq] : 0)
                    }
                }
            }
        }
        return out
    }

    typealias PadFunction = (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, Int32, Int32, Int32, Int32, Int32, Int32, Int32) -> Void

    func run(_ pad: PadFunction, _ s: Shape, count: Int) -> [Float] {
        let x = source(s)
        var out = [Float](repeating: Self.sentinel, count: count + 64)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                pad(dst.baseAddress, src.baseAddress, Int32(s.channels), Int32(s.srcH), Int32(s.srcW), Int32(s.top), Int32(s.left),
                    Int32(s.height), Int32(s.width))
            }
        }
        return out
    }

    func expectPads(_ pad: PadFunction, phases: Bool) {
        var failures = 0
        for s in Self.shapes {
            let expected = phases ? naivePhases(s, source(s)) : naivePad(s, source(s))
            let got = run(pad, s, count: expected.count)
            if Array(got.prefix(expected.count)) != expected || got.dropFirst(expected.count).contains(where: { $0 != Self.sentinel }) {
                failures += 1
                if failures <= 3 { Issue.record("padding differs for \(s)") }
            }
        }
        #expect(failures == 0)
    }

    @Test("the padding of the AVX2 path matches the obvious loops", .enabled(if: InstructionSet.best >= .avx2, "this CPU has no AVX2"))
    func avx2Padding() {
        expectPads(cnn_direct_pad, phases: false)
        expectPads(cnn_direct_pad_phases, phases: true)
    }

    @Test("the AVX-512 padding matches the obvious loops", .enabled(if: InstructionSet.best >= .avx512, "this CPU has no AVX-512"))
    func avx512Padding() {
        expectPads(cnn_direct512_pad, phases: false)
        expectPads(cnn_direct512_pad_phases, phases: true)
    }
}
