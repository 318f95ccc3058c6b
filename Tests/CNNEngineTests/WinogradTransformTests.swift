import CKernels
import CNNEngine
import Testing

/// The AVX-512 Winograd transforms against the scalar ones (their naive twins in turn are checked end to end
/// against the direct definition of the convolution in KernelTests): the same bits, on odd and even maps,
/// tile counts that are and are not multiples of 16, with and without a bias.
@Suite("Winograd transforms")
struct WinogradTransformTests {
    /// (images, channels, h, w)
    static let shapes: [(Int, Int, Int, Int)] = [(16, 3, 8, 8), (5, 4, 4, 4), (17, 2, 2, 2), (3, 5, 7, 5), (2, 3, 1, 1),
                                                 (4, 2, 9, 16), (1, 1, 3, 2)]

    func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(Int(generator.next() % 2001) - 1000) / 997 }
    }

    @Test("the AVX-512 input and output transforms give the scalar ones' bits",
          .enabled(if: InstructionSet.best >= .avx512, "this CPU has no AVX-512"), arguments: shapes)
    func avx512TransformsMatchScalar(_ shape: (Int, Int, Int, Int)) {
        let (images, c, h, w) = shape
        let th = (h + 1) / 2, tw = (w + 1) / 2, ldt = images * th * tw + 3
        let x = values(images * c * h * w, seed: 1)
        var scalarV = [Float](repeating: -9, count: 16 * c * ldt), fastV = scalarV
        var pad = [Float](repeating: 0, count: (2 * th + 2) * (2 * tw + 2))
        cnn_wino_input(&scalarV, ldt, x, Int32(images), Int32(c), Int32(h), Int32(w), &pad)
        cnn_wino_input_avx512(&fastV, ldt, x, Int32(images), Int32(c), Int32(h), Int32(w))
        #expect(scalarV == fastV)

        let m = values(16 * c * ldt, seed: 2), bias = values(c, seed: 3)
        for b in [nil, bias] {
            var scalarY = [Float](repeating: -9, count: images * c * h * w + 8), fastY = scalarY
            var tile = [Float](repeating: 0, count: 4 * th * tw)
            b.withOptionalBuffer { biasPointer in
                cnn_wino_output(&scalarY, m, ldt, Int32(images), Int32(c), Int32(h), Int32(w), biasPointer, &tile)
                cnn_wino_output_avx512(&fastY, m, ldt, Int32(images), Int32(c), Int32(h), Int32(w), biasPointer)
            }
            #expect(scalarY == fastY)
        }
    }
}

extension Optional where Wrapped == [Float] {
    func withOptionalBuffer(_ body: (UnsafePointer<Float>?) -> Void) {
        switch self {
        case .none: body(nil)
        case .some(let array): array.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }
}
