import CNNEngine
import Foundation
import Synchronization
import Testing
import _TestSupport

/// Each fast kernel against its slow, obvious twin; one thread against several, bit for bit.
@Suite("Kernels against their naive twins")
struct KernelTests {
    static let geometries: [ConvGeometry] = [
        // LeNet C1 on a small batch: 28x28, pad 2 (chunk of one image).
        ConvGeometry(batch: 3, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 6, kernelHeight: 5, kernelWidth: 5,
                     padTop: 2, padBottom: 2, padLeft: 2, padRight: 2),
        // Small maps: several images per chunk.
        ConvGeometry(batch: 9, inChannels: 8, inHeight: 4, inWidth: 4, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        // Stride 2, dilation, odd sizes, uneven padding.
        ConvGeometry(batch: 2, inChannels: 3, inHeight: 11, inWidth: 9, outChannels: 5, kernelHeight: 3, kernelWidth: 2,
                     strideY: 2, strideX: 3, padTop: 2, padBottom: 0, padLeft: 1, padRight: 3, dilationY: 2, dilationX: 1),
        // Groups and depthwise.
        ConvGeometry(batch: 4, inChannels: 6, inHeight: 8, inWidth: 8, outChannels: 9, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1, groups: 3),
        ConvGeometry(batch: 2, inChannels: 4, inHeight: 6, inWidth: 6, outChannels: 4, kernelHeight: 3, kernelWidth: 3, groups: 4),
        // Pointwise, single image per chunk and several per chunk.
        ConvGeometry(batch: 2, inChannels: 7, inHeight: 16, inWidth: 16, outChannels: 5, kernelHeight: 1, kernelWidth: 1),
        ConvGeometry(batch: 5, inChannels: 7, inHeight: 3, inWidth: 3, outChannels: 5, kernelHeight: 1, kernelWidth: 1),
        // Kernel larger than stride with padding bigger than the kernel reach on one side.
        ConvGeometry(batch: 1, inChannels: 2, inHeight: 5, inWidth: 5, outChannels: 2, kernelHeight: 2, kernelWidth: 2,
                     strideY: 3, strideX: 3, padTop: 3, padBottom: 3, padLeft: 3, padRight: 3),
    ]

    /// Stride-1 shapes for the direct kernels: tails of 1-7 outputs in a row, channel counts that
    /// are not multiples of 4, every kernel width 1-7, uneven padding, ResNet-20's first stage.
    static let directGeometries: [ConvGeometry] = [
        ConvGeometry(batch: 3, inChannels: 16, inHeight: 32, inWidth: 32, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 4, inChannels: 6, inHeight: 14, inWidth: 14, outChannels: 16, kernelHeight: 5, kernelWidth: 5),
        ConvGeometry(batch: 2, inChannels: 5, inHeight: 9, inWidth: 13, outChannels: 7, kernelHeight: 2, kernelWidth: 7,
                     padTop: 0, padBottom: 1, padLeft: 6, padRight: 2),
        ConvGeometry(batch: 5, inChannels: 3, inHeight: 7, inWidth: 5, outChannels: 9, kernelHeight: 4, kernelWidth: 4,
                     padTop: 3, padBottom: 0, padLeft: 1, padRight: 2),
        ConvGeometry(batch: 2, inChannels: 4, inHeight: 6, inWidth: 19, outChannels: 3, kernelHeight: 3, kernelWidth: 6,
                     padTop: 2, padBottom: 2, padLeft: 5, padRight: 0),
        ConvGeometry(batch: 2, inChannels: 2, inHeight: 3, inWidth: 17, outChannels: 5, kernelHeight: 1, kernelWidth: 2),
        ConvGeometry(batch: 2, inChannels: 3, inHeight: 5, inWidth: 4, outChannels: 4, kernelHeight: 3, kernelWidth: 1,
                     padTop: 1, padBottom: 1),
        ConvGeometry(batch: 2, inChannels: 3, inHeight: 4, inWidth: 4, outChannels: 2, kernelHeight: 1, kernelWidth: 1,
                     padTop: 0, padBottom: 0, padLeft: 0, padRight: 0),
        // ResNet-20's last stage (AVX-512: 8x8 maps on a grid of 10-wide rows, 5 vectors in one tile), and
        // 7 output channels of a 3-wide kernel (a weight-gradient tile of 4, then one of 3).
        ConvGeometry(batch: 3, inChannels: 64, inHeight: 8, inWidth: 8, outChannels: 64, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 2, inChannels: 10, inHeight: 11, inWidth: 7, outChannels: 7, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        // Rows of whole AVX-512 vectors, taken row by row: 16 outputs a row with a 5-wide kernel (the
        // input gradient's 20-wide rows on the flat grid), and 48 a row (3 vectors; input gradient too).
        ConvGeometry(batch: 3, inChannels: 5, inHeight: 18, inWidth: 20, outChannels: 7, kernelHeight: 5, kernelWidth: 5),
        ConvGeometry(batch: 2, inChannels: 8, inHeight: 5, inWidth: 48, outChannels: 6, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        // Wider than 64 channels: direct on the AVX-512 path only (8x8 maps and up).
        ConvGeometry(batch: 2, inChannels: 96, inHeight: 8, inWidth: 8, outChannels: 80, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
    ]

    /// Stride-2 shapes: ResNet's downsampling convolutions (16->32 at 32x32, 32->64 at 16x16, and at
    /// 8x8 a grid of whole AVX-512 vectors), odd sizes where the last phase row or column is short,
    /// padding 0 and 1 and uneven, 1x1 projections, even and 5-wide kernels, channel counts not
    /// multiples of 4, 8 or 16.
    static let stride2Geometries: [ConvGeometry] = [
        ConvGeometry(batch: 3, inChannels: 16, inHeight: 32, inWidth: 32, outChannels: 32, kernelHeight: 3, kernelWidth: 3,
                     strideY: 2, strideX: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 2, inChannels: 32, inHeight: 16, inWidth: 16, outChannels: 64, kernelHeight: 3, kernelWidth: 3,
                     strideY: 2, strideX: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 2, inChannels: 24, inHeight: 8, inWidth: 8, outChannels: 20, kernelHeight: 3, kernelWidth: 3,
                     strideY: 2, strideX: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 3, inChannels: 5, inHeight: 11, inWidth: 9, outChannels: 7, kernelHeight: 3, kernelWidth: 3,
                     strideY: 2, strideX: 2),
        ConvGeometry(batch: 2, inChannels: 6, inHeight: 13, inWidth: 19, outChannels: 9, kernelHeight: 3, kernelWidth: 3,
                     strideY: 2, strideX: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 2, inChannels: 7, inHeight: 10, inWidth: 10, outChannels: 10, kernelHeight: 1, kernelWidth: 1,
                     strideY: 2, strideX: 2),
        ConvGeometry(batch: 3, inChannels: 6, inHeight: 9, inWidth: 7, outChannels: 5, kernelHeight: 1, kernelWidth: 1,
                     strideY: 2, strideX: 2),
        ConvGeometry(batch: 2, inChannels: 4, inHeight: 12, inWidth: 15, outChannels: 6, kernelHeight: 5, kernelWidth: 5,
                     strideY: 2, strideX: 2, padTop: 2, padBottom: 2, padLeft: 2, padRight: 2),
        ConvGeometry(batch: 2, inChannels: 5, inHeight: 8, inWidth: 11, outChannels: 3, kernelHeight: 2, kernelWidth: 2,
                     strideY: 2, strideX: 2),
        ConvGeometry(batch: 2, inChannels: 4, inHeight: 9, inWidth: 10, outChannels: 5, kernelHeight: 4, kernelWidth: 3,
                     strideY: 2, strideX: 2, padTop: 2, padBottom: 1, padLeft: 0, padRight: 2),
        ConvGeometry(batch: 2, inChannels: 3, inHeight: 7, inWidth: 17, outChannels: 4, kernelHeight: 3, kernelWidth: 7,
                     strideY: 2, strideX: 2, padTop: 1, padBottom: 0, padLeft: 3, padRight: 3),
        // 32 outputs a row (two whole AVX-512 vectors, taken row by row) from a 5-wide kernel on an odd width.
        ConvGeometry(batch: 2, inChannels: 3, inHeight: 6, inWidth: 63, outChannels: 5, kernelHeight: 5, kernelWidth: 5,
                     strideY: 2, strideX: 2, padTop: 2, padBottom: 2, padLeft: 2, padRight: 2),
    ]

    static let directArguments = directGeometries + stride2Geometries + geometries.filter(DirectConvolution.supports)

    /// Shapes for Winograd F(2x2, 3x3) (3x3, stride 1, padding 1, at least 128 channels on both sides): even and odd maps (a last tile cut in half), 2x2 and 1x1
    /// maps (every tile mostly padding), channel counts not multiples of 4 or 16, and several chunks of
    /// images with a short last one (16x16: 4 images a chunk, 5 images).
    static let winogradGeometries: [ConvGeometry] = [
        ConvGeometry(batch: 2, inChannels: 128, inHeight: 8, inWidth: 8, outChannels: 130, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 2, inChannels: 133, inHeight: 5, inWidth: 7, outChannels: 128, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 3, inChannels: 128, inHeight: 2, inWidth: 2, outChannels: 140, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 2, inChannels: 130, inHeight: 1, inWidth: 1, outChannels: 128, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 5, inChannels: 128, inHeight: 16, inWidth: 16, outChannels: 129, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
    ]

    @Test("Winograd F(2x2, 3x3) matches the naive loops, on every path this CPU has",
          .enabled(if: Winograd.enabled, "CNNBENCH_WINOGRAD=0"),
          arguments: InstructionSet.supported, winogradGeometries)
    func winogradMatchesNaive(_ isa: InstructionSet, _ g: ConvGeometry) {
        InstructionSet.withActive(isa) {
            #expect(g.usesWinograd)
            #expect(g.kernelChoice.forward.hasPrefix("winograd") && g.kernelChoice.backwardData.hasPrefix("winograd"))
            let c = ConvCase(g)
            c.expectMatchesNaive(
                forward: { y, bias in winogradConv2dForward(y: y, x: c.x.pointer, w: c.w.pointer, bias: bias, geometry: g, scratch: Scratch()) },
                backward: { dx, dw, db in
                    winogradConv2dInputGradient(dx: dx, dy: c.dy.pointer, w: c.w.pointer, geometry: g, scratch: Scratch())
                    im2colConv2dBackward(dx: nil, dw: dw, db: db, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                                         geometry: g, scratch: Scratch(), partials: Scratch())
                })
            // and through conv2dForward / conv2dBackward, which pick it
            checkConvolution(g)
        }
    }

    @Test func winogradTakesOnlyWide3x3SameLayers() {
        let vgg = ConvGeometry(batch: 2, inChannels: 256, inHeight: 8, inWidth: 8, outChannels: 256, kernelHeight: 3, kernelWidth: 3,
                               padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        #expect(vgg.usesWinograd == Winograd.enabled)
        var strided = vgg; strided.strideY = 2; strided.strideX = 2
        var unpadded = vgg; unpadded.padTop = 0; unpadded.padBottom = 0; unpadded.padLeft = 0; unpadded.padRight = 0
        var fiveByFive = vgg; fiveByFive.kernelHeight = 5; fiveByFive.kernelWidth = 5
        var narrow = vgg; narrow.inChannels = 64  // VGG's 64->128 layer stays on im2col
        var grouped = vgg; grouped.groups = 2
        for g in [strided, unpadded, fiveByFive, narrow, grouped] { #expect(!g.usesWinograd) }
        if InstructionSet.best >= .avx2 && DirectConvolution.enabled {
            // 64 channels on both sides: the direct kernels.
            var resnet = vgg; resnet.inChannels = 64; resnet.outChannels = 64
            InstructionSet.withActive(.avx2) { #expect(!resnet.usesWinograd) }
        }
    }

    @Test("the AVX2 direct kernels match the naive loops",
          .enabled(if: DirectConvolution.enabled && InstructionSet.best >= .avx2, "this CPU has no AVX2 and FMA"),
          arguments: directArguments)
    func avx2DirectConvolutionMatchesNaive(_ g: ConvGeometry) {
        InstructionSet.withActive(.avx2) { checkDirectConvolution(g) }
    }

    @Test("the AVX-512 direct kernels match the naive loops",
          .enabled(if: DirectConvolution.enabled && InstructionSet.best >= .avx512, "this CPU has no AVX-512"),
          arguments: directArguments)
    func avx512DirectConvolutionMatchesNaive(_ g: ConvGeometry) {
        InstructionSet.withActive(.avx512) { checkDirectConvolution(g) }
    }

    func checkDirectConvolution(_ g: ConvGeometry) {
        #expect(DirectConvolution.supports(g))
        let c = ConvCase(g)
        let (_, dxBoth, dwBoth) = c.expectMatchesNaive(
            forward: { y, bias in directConv2dForward(y: y, x: c.x.pointer, w: c.w.pointer, bias: bias, geometry: g, scratch: Scratch()) },
            backward: { dx, dw, db in
                directConv2dBackward(dx: dx, dw: dw, db: db, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                                     geometry: g, scratch: Scratch(), partials: Scratch())
            })
        // Only the weight gradient, and only the input gradient: the same values as both together.
        let dwOnly = c.initialWeightGradient(), dxOnly = Tensor(shape: c.x.shape)
        directConv2dBackward(dx: nil, dw: dwOnly.pointer, db: nil, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                             geometry: g, scratch: Scratch(), partials: Scratch())
        directConv2dBackward(dx: dxOnly.pointer, dw: nil, db: nil, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                             geometry: g, scratch: Scratch(), partials: Scratch())
        #expect(bitIdentical(dwOnly.values, dwBoth.values))
        #expect(bitIdentical(dxOnly.values, dxBoth.values))
    }

    /// Small maps for the per-tap weight gradient: VGG's 2x2 and 4x4 with more than one block of 64 output
    /// channels, uneven and large padding (a kernel row that reaches no input row at all), a 5x5 kernel
    /// on a 3x3 map, a non-square kernel.
    static let tapGeometries: [ConvGeometry] = [
        ConvGeometry(batch: 3, inChannels: 12, inHeight: 2, inWidth: 2, outChannels: 70, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 4, inChannels: 9, inHeight: 4, inWidth: 4, outChannels: 6, kernelHeight: 3, kernelWidth: 3,
                     padTop: 1, padBottom: 1, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 2, inChannels: 3, inHeight: 1, inWidth: 4, outChannels: 5, kernelHeight: 3, kernelWidth: 3,
                     padTop: 4, padBottom: 0, padLeft: 1, padRight: 1),
        ConvGeometry(batch: 2, inChannels: 4, inHeight: 3, inWidth: 3, outChannels: 3, kernelHeight: 5, kernelWidth: 5,
                     padTop: 2, padBottom: 2, padLeft: 2, padRight: 2),
        ConvGeometry(batch: 5, inChannels: 2, inHeight: 7, inWidth: 6, outChannels: 4, kernelHeight: 2, kernelWidth: 3,
                     padTop: 0, padBottom: 1, padLeft: 2, padRight: 0),
    ]

    @Test("the per-tap weight gradient matches the naive loops, on every path this CPU has",
          arguments: InstructionSet.supported, tapGeometries)
    func tapWeightGradientMatchesNaive(_ isa: InstructionSet, _ g: ConvGeometry) {
        InstructionSet.withActive(isa) {
            let c = ConvCase(g)
            let dwFast = c.initialWeightGradient(), dwSlow = dwFast.copy(), dx = Tensor(shape: c.x.shape)
            tapWeightGradient(dw: dwFast.pointer, dy: c.dy.pointer, x: c.x.pointer, geometry: g, scratch: Scratch())
            naiveConv2dBackward(dx: dx.pointer, dw: dwSlow.pointer, db: nil, dy: c.dy.pointer, x: c.x.pointer,
                                w: c.w.pointer, geometry: g)
            #expect(maxRelativeError(dwFast.values, dwSlow.values) < c.weightTolerance)
            // The same bits on 1 and 3 threads.
            let saved = Parallel.threadCount
            defer { Parallel.threadCount = saved }
            var results: [[Float]] = []
            for threads in [1, 3] {
                Parallel.threadCount = threads
                let dw = c.initialWeightGradient()
                tapWeightGradient(dw: dw.pointer, dy: c.dy.pointer, x: c.x.pointer, geometry: g, scratch: Scratch())
                results.append(dw.values)
            }
            #expect(bitIdentical(results[0], results[1]))
        }
    }

    @Test func tapWeightGradientTakesOnlySmallStride1Maps() {
        let vgg = ConvGeometry(batch: 8, inChannels: 512, inHeight: 2, inWidth: 2, outChannels: 512, kernelHeight: 3, kernelWidth: 3,
                               padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        #expect(vgg.usesTapWeightGradient == TapWeightGradient.enabled)
        var wide = vgg; wide.inHeight = 16; wide.inWidth = 16
        #expect(!wide.usesTapWeightGradient)
        var strided = vgg; strided.strideY = 2; strided.strideX = 2
        #expect(!strided.usesTapWeightGradient)
        var pointwise = vgg; pointwise.kernelHeight = 1; pointwise.kernelWidth = 1; pointwise.padTop = 0
        pointwise.padBottom = 0; pointwise.padLeft = 0; pointwise.padRight = 0
        #expect(!pointwise.usesTapWeightGradient)
        if TapWeightGradient.enabled { #expect(vgg.kernelChoice.backwardWeights.hasPrefix("per-tap+")) }
    }

    @Test("im2col + GEMM matches the naive loops", arguments: geometries + directGeometries + stride2Geometries)
    func im2colConvolutionMatchesNaive(_ g: ConvGeometry) {
        let c = ConvCase(g)
        let (y, _, _) = c.expectMatchesNaive(
            forward: { y, bias in im2colConv2dForward(y: y, x: c.x.pointer, w: c.w.pointer, bias: bias, geometry: g, scratch: Scratch()) },
            backward: { dx, dw, db in
                im2colConv2dBackward(dx: dx, dw: dw, db: db, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                                     geometry: g, scratch: Scratch(), partials: Scratch())
            })
        // Columns kept by the forward pass give the same weight gradient, bit for bit.
        let kept = Tensor(shape: [g.keptColumnCount]), again = Tensor(shape: y.shape)
        im2colConv2dForward(y: again.pointer, x: c.x.pointer, w: c.w.pointer, bias: c.b.pointer, geometry: g, scratch: Scratch(),
                            keptColumns: kept.pointer)
        #expect(bitIdentical(again.values, y.values))
        let dwKept = c.initialWeightGradient(), dwRebuilt = c.initialWeightGradient()
        im2colConv2dBackward(dx: nil, dw: dwKept.pointer, db: nil, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                             geometry: g, scratch: Scratch(), partials: Scratch(), keptColumns: kept.pointer)
        im2colConv2dBackward(dx: nil, dw: dwRebuilt.pointer, db: nil, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                             geometry: g, scratch: Scratch(), partials: Scratch())
        let same = bitIdentical(dwKept.values, dwRebuilt.values)
        #expect(same)
    }

    @Test("conv2d (whichever kernels it picks) matches the naive loops, on every path this CPU has",
          arguments: InstructionSet.supported, geometries + directGeometries + stride2Geometries)
    func convolutionMatchesNaive(_ isa: InstructionSet, _ g: ConvGeometry) {
        InstructionSet.withActive(isa) { checkConvolution(g) }
    }

    func checkConvolution(_ g: ConvGeometry) {
        let c = ConvCase(g)
        c.expectMatchesNaive(
            forward: { y, bias in conv2dForward(y: y, x: c.x.pointer, w: c.w.pointer, bias: bias, geometry: g, scratch: Scratch()) },
            backward: { dx, dw, db in
                conv2dBackward(dx: dx, dw: dw, db: db, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                               geometry: g, scratch: Scratch(), partials: Scratch())
            })
    }

    /// The engine's GEMM (oneDNN where installed) and the BLAS, against the naive loops, on shapes with
    /// tails in every dimension and ResNet-20's per-image shape.
    @Test(arguments: [(7, 5, 9), (33, 47, 65), (16, 1024, 144)])
    func gemmMatchesNaive(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for (tA, tB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor([m * k], seed: 7), b = randomTensor([k * n], seed: 8)
            let c1 = randomTensor([m * n], seed: 9), c2 = c1.copy(), c3 = c1.copy()
            gemm(c: c1.pointer, ldc: n, a: a.pointer, lda: tA ? m : k, transposeA: tA, b: b.pointer, ldb: tB ? k : n, transposeB: tB,
                 m: m, n: n, k: k, alpha: 0.5, beta: 2)
            blasGEMM(c: c3.pointer, ldc: n, a: a.pointer, lda: tA ? m : k, transposeA: tA, b: b.pointer, ldb: tB ? k : n, transposeB: tB,
                     m: m, n: n, k: k, alpha: 0.5, beta: 2)
            #expect(maxRelativeError(c3.values, c1.values) < 1e-4)
            naiveGEMM(c: c2.pointer, ldc: n, a: a.pointer, lda: tA ? m : k, transposeA: tA, b: b.pointer, ldb: tB ? k : n, transposeB: tB,
                      m: m, n: n, k: k, alpha: 0.5, beta: 2)
            #expect(maxRelativeError(c1.values, c2.values) < 1e-5)
        }
    }

    @Test func im2colThenCol2imIsTheAdjoint() {
        // <im2col(x), c> = <x, col2im(c)> for any x and c: col2im is im2col's transpose.
        let g = Self.geometries[2]
        let x = randomTensor([g.inChannels, g.inHeight, g.inWidth], seed: 10)
        let rows = g.inChannels * g.kernelHeight * g.kernelWidth, cols = g.outHeight * g.outWidth
        let col = Tensor(shape: [rows, cols]), c = randomTensor([rows, cols], seed: 11), back = Tensor(shape: x.shape)
        im2col(col: col.pointer, ldcol: cols, image: x.pointer, channelOffset: 0, geometry: g)
        col2im(image: back.pointer, col: c.pointer, ldcol: cols, channelOffset: 0, geometry: g)
        let left = zip(col.values, c.values).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x.values, back.values).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) < 1e-4 * max(1, abs(left)))
    }
}

/// Random inputs for one convolution geometry, and the check of a forward and backward implementation
/// against the naive loops that the convolution tests share.
struct ConvCase {
    let g: ConvGeometry
    let x: Tensor, w: Tensor, b: Tensor, dy: Tensor

    init(_ g: ConvGeometry) {
        self.g = g
        x = randomTensor([g.batch, g.inChannels, g.inHeight, g.inWidth], seed: 1)
        w = randomTensor([g.outChannels, g.inChannels / g.groups, g.kernelHeight, g.kernelWidth], seed: 2)
        b = randomTensor([g.outChannels], seed: 3)
        dy = randomTensor([g.batch, g.outChannels, g.outHeight, g.outWidth], seed: 4)
    }

    /// The non-zero starting value of dw: gradients accumulate.
    func initialWeightGradient() -> Tensor { randomTensor(w.shape, seed: 5) }

    /// Weight gradients sum N * oh * ow float products (3,072 for ResNet-20's stage on 3 images):
    /// float rounding grows with the count.
    var weightTolerance: Float { g.batch * g.outHeight * g.outWidth > 1000 ? 5e-5 : 1e-5 }
    /// Input gradients sum O/G * kh * kw products.
    var dataTolerance: Float { g.outChannels / g.groups * g.kernelHeight * g.kernelWidth > 300 ? 3e-5 : 1e-5 }
    /// Outputs sum C/G * kh * kw products (576 for ResNet-20's last stage).
    var forwardTolerance: Float { g.inChannels / g.groups * g.kernelHeight * g.kernelWidth > 300 ? 3e-5 : 1e-5 }

    /// Checks `forward(y, bias)` with and without bias, and `backward(dx, dw, db)` (dx starting from noise:
    /// it must be overwritten; dw and db from non-zero values: they accumulate), against the naive loops.
    /// Returns the fast y (with bias), dx and dw.
    @discardableResult
    func expectMatchesNaive(forward: (UnsafeMutablePointer<Float>, UnsafePointer<Float>?) -> Void,
                            backward: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void)
        -> (y: Tensor, dx: Tensor, dw: Tensor) {
        let outShape = dy.shape
        let fast = Tensor(shape: outShape), slow = Tensor(shape: outShape), noBias = Tensor(shape: outShape)
        forward(fast.pointer, b.pointer)
        naiveConv2dForward(y: slow.pointer, x: x.pointer, w: w.pointer, bias: b.pointer, geometry: g)
        #expect(maxRelativeError(fast.values, slow.values) < forwardTolerance)
        forward(noBias.pointer, nil)
        naiveConv2dForward(y: slow.pointer, x: x.pointer, w: w.pointer, bias: nil, geometry: g)
        #expect(maxRelativeError(noBias.values, slow.values) < forwardTolerance)

        let dxFast = randomTensor(x.shape, seed: 7), dxSlow = Tensor(shape: x.shape)
        let dwFast = initialWeightGradient(), dwSlow = dwFast.copy()
        let dbFast = randomTensor(b.shape, seed: 6), dbSlow = dbFast.copy()
        backward(dxFast.pointer, dwFast.pointer, dbFast.pointer)
        naiveConv2dBackward(dx: dxSlow.pointer, dw: dwSlow.pointer, db: dbSlow.pointer, dy: dy.pointer, x: x.pointer, w: w.pointer, geometry: g)
        #expect(maxRelativeError(dxFast.values, dxSlow.values) < dataTolerance)
        #expect(maxRelativeError(dwFast.values, dwSlow.values) < weightTolerance)
        #expect(maxRelativeError(dbFast.values, dbSlow.values) < 1e-5)
        return (fast, dxFast, dwFast)
    }
}

/// Results do not depend on the number of threads: 1 thread against 3, bit for bit.
@Suite("Thread determinism", .serialized)
struct ThreadDeterminismTests {
    /// Runs a forward and backward pass of a small ResNet-like network and returns every output and gradient.
    func run(threads: Int) throws -> [[Float]] {
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        let body = try Sequential("body", [
            try Conv2D("conv1", inChannels: 8, outChannels: 16, kernelSize: 3, stride: 2, padding: .uniform(1), bias: false),
            try BatchNorm2D("bn1", features: 16), ReLU("relu1"),
            try Conv2D("conv2", inChannels: 16, outChannels: 16, kernelSize: 3, padding: .uniform(1), bias: false),
            try BatchNorm2D("bn2", features: 16),
        ])
        let net = try Sequential("net", [
            try Conv2D("stem", inChannels: 3, outChannels: 8, kernelSize: 3, padding: .uniform(1)),
            ReLU("relu"), try MaxPool2D("pool", kernelSize: 2),
            Residual("block", body: body, shortcut: .zeroPadded(stride: 2), activation: ReLU("relu2")),
            try AvgPool2D("avg", kernelSize: 2), Flatten(), try Dense("fc", inFeatures: 16 * 4 * 4, outFeatures: 10),
        ])
        net.initialize(seed: 3)
        let x = randomTensor([37, 3, 32, 32], seed: 1)
        let loss = try SoftmaxCrossEntropy()
        let y = try net.forward(x)
        let value = try loss.loss(logits: y, targets: (0..<37).map { Int32($0 % 10) })
        let dx = try net.backward(loss.gradient)
        return [[value], y.values, dx.values] + net.namedParameters.map { $0.parameter.gradient.values }
            + net.namedBuffers.map { $0.parameter.value.values }
    }

    /// Callers size per-worker scratch by the worker count, then run: a thread count changed by another
    /// thread in between must not send a worker past that scratch (it trapped before).
    @Test func threadCountChangedWhileConvolutionsRunIsHarmless() throws {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        let g = ConvGeometry(batch: 16, inChannels: 8, inHeight: 12, inWidth: 12, outChannels: 8, kernelHeight: 3, kernelWidth: 3,
                             padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        let c = ConvCase(g)
        let y = Tensor(shape: c.dy.shape), reference = Tensor(shape: c.dy.shape), dw = Tensor(shape: c.w.shape)
        naiveConv2dForward(y: reference.pointer, x: c.x.pointer, w: c.w.pointer, bias: c.b.pointer, geometry: g)
        let stop = Atomic<Bool>(false)
        let toggler = Thread {
            var n = 0
            while !stop.load(ordering: .relaxed) { Parallel.threadCount = 1 + n % 4; n += 1 }
        }
        toggler.start()
        defer { stop.store(true, ordering: .relaxed); while !toggler.isFinished { usleep(1000) } }
        for isa in InstructionSet.supported {
            try InstructionSet.withActive(isa) {
                for _ in 0..<40 {
                    let scratch = Scratch()
                    Parallel.threadCount = 1
                    conv2dForward(y: y.pointer, x: c.x.pointer, w: c.w.pointer, bias: c.b.pointer, geometry: g, scratch: scratch)
                    conv2dBackward(dx: nil, dw: dw.pointer, db: nil, dy: c.dy.pointer, x: c.x.pointer,
                                   w: c.w.pointer, geometry: g, scratch: scratch, partials: Scratch())
                    #expect(maxRelativeError(y.values, reference.values) < 1e-5)
                    _ = try #require(y.count == reference.count)
                }
            }
        }
    }

    @Test func workerThreadsTakeTheCallersPath() {
        let saved = Parallel.threadCount
        Parallel.threadCount = 3
        defer { Parallel.threadCount = saved }
        let seen = UncheckedSendable(UnsafeMutablePointer<InstructionSet>.allocate(capacity: 64))
        defer { seen.value.deallocate() }
        InstructionSet.withActive(.generic) { Parallel.forEach(64) { task, _ in seen.value[task] = InstructionSet.active } }
        #expect((0..<64).allSatisfy { seen.value[$0] == .generic })
    }

    @Test("the direct kernels give the same bits on 1 and 3 threads, stride 1 and 2, on every path this CPU has",
          .enabled(if: DirectConvolution.enabled && InstructionSet.best >= .avx2, "this CPU has no AVX2 and FMA"),
          arguments: InstructionSet.supported.filter { $0 >= .avx2 }, [1, 2])
    func directKernelsOneThreadEqualsThree(_ isa: InstructionSet, stride: Int) {
        // 37 images: several images a weight-kernel call and reduction groups that do not divide the batch.
        let g = ConvGeometry(batch: 37, inChannels: 12, inHeight: 10, inWidth: 9, outChannels: 20, kernelHeight: 3, kernelWidth: 3,
                             strideY: stride, strideX: stride, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        let c = ConvCase(g)
        func run(threads: Int) -> [[Float]] {
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            defer { Parallel.threadCount = saved }
            let y = Tensor(shape: c.dy.shape), dx = Tensor(shape: c.x.shape), dw = c.initialWeightGradient()
            InstructionSet.withActive(isa) {
                directConv2dForward(y: y.pointer, x: c.x.pointer, w: c.w.pointer, bias: c.b.pointer, geometry: g, scratch: Scratch())
                directConv2dBackward(dx: dx.pointer, dw: dw.pointer, db: nil, dy: c.dy.pointer, x: c.x.pointer, w: c.w.pointer,
                                     geometry: g, scratch: Scratch(), partials: Scratch())
            }
            return [y.values, dx.values, dw.values]
        }
        let one = run(threads: 1), three = run(threads: 3)
        for (i, (a, b)) in zip(one, three).enumerated() {
            let same = bitIdentical(a, b)
            #expect(same, "output \(i) (y, dx, dw) differs between 1 and 3 threads")
        }
    }

    @Test("Winograd gives the same bits on 1 and 3 threads", .enabled(if: Winograd.enabled, "CNNBENCH_WINOGRAD=0"))
    func winogradOneThreadEqualsThree() {
        // 8x8 maps: 16 images a chunk; 37 images: three chunks, the last short. 2x2 maps: one chunk, whose
        // 16 GEMMs are spread over the threads.
        for (batch, size) in [(37, 8), (20, 2)] {
            let g = ConvGeometry(batch: batch, inChannels: 128, inHeight: size, inWidth: size, outChannels: 130, kernelHeight: 3,
                                 kernelWidth: 3, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
            expectWinogradOneThreadEqualsThree(g)
        }
    }

    func expectWinogradOneThreadEqualsThree(_ g: ConvGeometry) {
        let c = ConvCase(g)
        func run(threads: Int) -> [[Float]] {
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            defer { Parallel.threadCount = saved }
            let y = Tensor(shape: c.dy.shape), dx = Tensor(shape: c.x.shape)
            winogradConv2dForward(y: y.pointer, x: c.x.pointer, w: c.w.pointer, bias: c.b.pointer, geometry: g, scratch: Scratch())
            winogradConv2dInputGradient(dx: dx.pointer, dy: c.dy.pointer, w: c.w.pointer, geometry: g, scratch: Scratch())
            return [y.values, dx.values]
        }
        let one = run(threads: 1), three = run(threads: 3)
        #expect(bitIdentical(one[0], three[0]) && bitIdentical(one[1], three[1]))
    }

    @Test("1 thread equals 3 threads bit for bit, on every path this CPU has", arguments: InstructionSet.supported)
    func oneThreadEqualsThreeThreadsBitForBit(_ isa: InstructionSet) throws {
        let one = try InstructionSet.withActive(isa) { try run(threads: 1) }
        let three = try InstructionSet.withActive(isa) { try run(threads: 3) }
        #expect(one.count == three.count)
        for (i, (a, b)) in zip(one, three).enumerated() {
            let same = bitIdentical(a, b)
            #expect(same, "array \(i) differs between 1 and 3 threads")
        }
    }
}

/// Run-time dispatch: the override's validation, the probe, the GEMM backend.
@Suite("Instruction-set dispatch")
struct DispatchTests {
    @Test func overrideIsValidated() throws {
        #expect(try InstructionSet.fromEnvironment([:]) == InstructionSet.best)
        #expect(try InstructionSet.fromEnvironment(["CNNBENCH_ISA": ""]) == InstructionSet.best)
        #expect(try InstructionSet.fromEnvironment(["CNNBENCH_ISA": "generic"]) == .generic)
        #expect(try InstructionSet.fromEnvironment(["CNNBENCH_ISA": "AVX2"]) == (InstructionSet.best >= .avx2 ? .avx2 : nil))
        let error = #expect(throws: ConfigurationError.self) { try InstructionSet.fromEnvironment(["CNNBENCH_ISA": "sse9"]) }
        #expect(error?.description == "CNNBENCH_ISA must be one of avx512, avx2, generic; got \"sse9\"")
        if InstructionSet.best < .avx512 {
            #expect(throws: ConfigurationError.self) { try InstructionSet.fromEnvironment(["CNNBENCH_ISA": "avx512"]) }
        }
    }

    @Test func engineSwitchesAreValidated() throws {
        #expect(try DirectConvolution.mode([:]) == .rules)
        #expect(try DirectConvolution.mode(["CNNBENCH_DIRECT_CONV": "on"]) == .rules)
        #expect(try DirectConvolution.mode(["CNNBENCH_DIRECT_CONV": "0"]) == .off)
        #expect(try DirectConvolution.mode(["CNNBENCH_DIRECT_CONV": "ALL"]) == .all)
        let direct = #expect(throws: ConfigurationError.self) { try DirectConvolution.mode(["CNNBENCH_DIRECT_CONV": "fast"]) }
        #expect(direct?.description.hasPrefix("CNNBENCH_DIRECT_CONV must be 1") == true)
        #expect(direct?.description.hasSuffix("got \"fast\"") == true)
        #expect(try Winograd.isEnabled([:]) && Winograd.isEnabled(["CNNBENCH_WINOGRAD": "1"]))
        #expect(try !Winograd.isEnabled(["CNNBENCH_WINOGRAD": "off"]))
        #expect(try TapWeightGradient.isEnabled([:]) && !TapWeightGradient.isEnabled(["CNNBENCH_TAP_GEMM": "0"]))
        let tap = #expect(throws: ConfigurationError.self) { try TapWeightGradient.isEnabled(["CNNBENCH_TAP_GEMM": "yes"]) }
        #expect(tap?.description == "CNNBENCH_TAP_GEMM must be 1 (or on, or unset) or 0 (or off); got \"yes\"")
        let winograd = #expect(throws: ConfigurationError.self) { try Winograd.isEnabled(["CNNBENCH_WINOGRAD": "no"]) }
        #expect(winograd?.description == "CNNBENCH_WINOGRAD must be 1 (or on, or unset) or 0 (or off); got \"no\"")
        #expect(try !GEMMBackend.asksForBLAS([:]) && !GEMMBackend.asksForBLAS(["CNNBENCH_GEMM": "oneDNN"]))
        #expect(try GEMMBackend.asksForBLAS(["CNNBENCH_GEMM": "BLAS"]))
        #expect(throws: ConfigurationError.self) { try GEMMBackend.asksForBLAS(["CNNBENCH_GEMM": "mkl"]) }
    }

    @Test func eachPassTakesTheKernelsMeasuredFasterForIt() {
        let small = ConvGeometry(batch: 2, inChannels: 64, inHeight: 8, inWidth: 8, outChannels: 64, kernelHeight: 3, kernelWidth: 3,
                                 padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        var wide = small; wide.inChannels = 128; wide.outChannels = 128
        var large = small; large.inHeight = 16; large.inWidth = 16
        if InstructionSet.best >= .avx512 && DirectConvolution.enabled {
            InstructionSet.withActive(.avx512) {
                #expect(small.kernelChoice.forward == "direct avx512" && small.kernelChoice.backwardData == "direct avx512")
                #expect(small.kernelChoice.backwardWeights.hasPrefix("im2col"))
                #expect(large.kernelChoice.backwardWeights == "direct avx512")
                #expect(!wide.usesDirectKernel)
            }
        }
        if InstructionSet.best >= .avx2 && DirectConvolution.enabled {
            InstructionSet.withActive(.avx2) {
                #expect(small.kernelChoice.backwardData == "direct avx2" && small.kernelChoice.backwardWeights.hasPrefix("im2col"))
                #expect(large.kernelChoice.backwardWeights == "direct avx2")
            }
        }
        InstructionSet.withActive(.generic) { #expect(!small.usesDirectKernel) }
    }

    @Test func stride2LayersTakeTheKernelsMeasuredFasterForThem() {
        // ResNet-20's downsampling convolutions, and a 1x1 stride-2 projection.
        let first = ConvGeometry(batch: 2, inChannels: 16, inHeight: 32, inWidth: 32, outChannels: 32, kernelHeight: 3, kernelWidth: 3,
                                 strideY: 2, strideX: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1)
        var second = first; second.inChannels = 32; second.inHeight = 16; second.inWidth = 16; second.outChannels = 64
        var projection = second; projection.kernelHeight = 1; projection.kernelWidth = 1
        projection.padTop = 0; projection.padBottom = 0; projection.padLeft = 0; projection.padRight = 0
        #expect(DirectConvolution.supports(projection))
        for isa in InstructionSet.supported where isa >= .avx2 && DirectConvolution.enabled {
            InstructionSet.withActive(isa) {
                let direct = "direct-s2 \(isa)"
                let k = first.kernelChoice
                #expect(k.forward == direct && k.backwardData == direct && k.backwardWeights == direct)
                // 8x8 outputs: the weight gradient goes to im2col, as at stride 1.
                #expect(second.kernelChoice.forward == direct && second.kernelChoice.backwardData == direct)
                #expect(second.kernelChoice.backwardWeights == "im2col+\(GEMMBackend.current)")
                #expect(!projection.usesDirectKernel)
            }
        }
    }

    @Test func scopedPathIsSeenAndRestored() {
        let before = InstructionSet.active
        InstructionSet.withActive(.generic) {
            #expect(InstructionSet.active == .generic)
            #expect(!DirectConvolution.isAvailable)
        }
        #expect(InstructionSet.active == before)
    }

    @Test("the probe measures every path this CPU has, and none it lacks")
    func peakProbe() {
        for isa in InstructionSet.allCases {
            let peak = isa.measuredPeak(seconds: 0.02)
            if isa <= InstructionSet.best { #expect(peak > 0, "\(isa): \(peak) GFLOP/s") } else { #expect(peak == 0) }
        }
    }

    #if os(Linux) && arch(x86_64)
    @Test("oneDNN's GEMM is used where its library is installed",
          .enabled(if: FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/libdnnl.so.2")
                   && ProcessInfo.processInfo.environment["CNNBENCH_GEMM"] == nil && InstructionSet.active != .generic,
                   "libdnnl is not installed"))
    func oneDNNIsChosen() {
        #expect(GEMMBackend.loaded.description.hasPrefix("oneDNN"))
        #expect(GEMMBackend.current == GEMMBackend.loaded)
        InstructionSet.withActive(.generic) { #expect(GEMMBackend.current == .blas) }
    }
    #endif
}

/// Batch norm in training: the fused kernels (one-pass statistics, x̂ recomputed, ReLU applied inside)
/// against the two-pass kernels that store x̂, and a fused BatchNorm2D + ReLU against the two layers apart.
@Suite("Fused batch norm")
struct FusedBatchNormTests {
    static let shapes = [NormShape(batch: 5, channels: 3, spatial: 37), NormShape(batch: 2, channels: 4, spatial: 64),
                         NormShape(batch: 7, channels: 2, spatial: 1)]

    @Test("fused training kernels match the two-pass kernels", arguments: shapes, [false, true])
    func fusedMatchesTwoPass(_ s: NormShape, relu: Bool) {
        let count = s.batch * s.channels * s.spatial
        // An offset far from zero: the one-pass statistics must not cancel.
        let x = randomTensor([count], seed: 1), dy = randomTensor([count], seed: 2)
        for i in 0..<count { x[flat: i] = 100 + 3 * x[flat: i] }
        let gamma = randomTensor([s.channels], seed: 3), beta = randomTensor([s.channels], seed: 4)
        let y1 = Tensor(shape: [count]), xhat = Tensor(shape: [count]), inv1 = Tensor(shape: [s.channels])
        let rm1 = Tensor(shape: [s.channels]), rv1 = Tensor(shape: [s.channels], repeating: 1)
        batchNormTrainingForward(y: y1.pointer, normalized: xhat.pointer, inverseStd: inv1.pointer, x: x.pointer,
                                 gamma: gamma.pointer, beta: beta.pointer, runningMean: rm1.pointer, runningVar: rv1.pointer,
                                 shape: s, momentum: 0.1, epsilon: 1e-5)
        if relu { for i in 0..<count { y1[flat: i] = max(0, y1[flat: i]) } }
        let y2 = Tensor(shape: [count]), mean = Tensor(shape: [s.channels]), inv2 = Tensor(shape: [s.channels])
        let rm2 = Tensor(shape: [s.channels]), rv2 = Tensor(shape: [s.channels], repeating: 1)
        batchNormTrainingForwardFused(y: y2.pointer, mean: mean.pointer, inverseStd: inv2.pointer, x: x.pointer,
                                      gamma: gamma.pointer, beta: beta.pointer, runningMean: rm2.pointer, runningVar: rv2.pointer,
                                      shape: s, momentum: 0.1, epsilon: 1e-5, relu: relu)
        #expect(maxRelativeError(y2.values, y1.values) < 1e-4)
        #expect(maxRelativeError(inv2.values, inv1.values) < 1e-5)
        #expect(maxRelativeError(rm2.values, rm1.values) < 1e-5)
        #expect(maxRelativeError(rv2.values, rv1.values) < 1e-4)

        // The two-pass backward, given the ReLU's mask by hand.
        let masked = dy.copy()
        if relu { for i in 0..<count where !(y1[flat: i] > 0) { masked[flat: i] = 0 } }
        let dx1 = Tensor(shape: [count]), dg1 = Tensor(shape: [s.channels]), db1 = Tensor(shape: [s.channels])
        batchNormBackward(dx: dx1.pointer, dgamma: dg1.pointer, dbeta: db1.pointer, dy: masked.pointer, normalized: xhat.pointer,
                          inverseStd: inv1.pointer, gamma: gamma.pointer, shape: s, training: true)
        let dx2 = Tensor(shape: [count]), dg2 = Tensor(shape: [s.channels]), db2 = Tensor(shape: [s.channels])
        batchNormBackwardFused(dx: dx2.pointer, dgamma: dg2.pointer, dbeta: db2.pointer, dy: dy.pointer, x: x.pointer, y: y2.pointer,
                               mean: mean.pointer, inverseStd: inv2.pointer, gamma: gamma.pointer, shape: s, relu: relu)
        #expect(maxRelativeError(dx2.values, dx1.values) < 1e-4)
        #expect(maxRelativeError(dg2.values, dg1.values) < 1e-4)
        #expect(maxRelativeError(db2.values, db1.values) < 1e-5)
    }

    @Test func fusedLayersEqualTheLayersApartBitForBit() throws {
        func make() throws -> (BatchNorm2D, ReLU) { (try BatchNorm2D("bn", features: 3), ReLU("relu")) }
        let x = randomTensor([4, 3, 5, 6], seed: 1), dy = randomTensor([4, 3, 5, 6], seed: 2)
        let (bn1, relu1) = try make()
        let fused = try Sequential("fused", [bn1, relu1])
        #expect(bn1.fusedReLU)
        let yFused = try fused.forward(x).copy()
        let dxFused = try fused.backward(dy).copy()
        let (bn2, relu2) = try make()
        let yApart = try relu2.forward(try bn2.forward(x)).copy()
        let dxApart = try bn2.backward(try relu2.backward(dy)).copy()
        #expect(bitIdentical(yFused.values, yApart.values))
        #expect(bitIdentical(dxFused.values, dxApart.values))
        #expect(bitIdentical(bn1.gamma.gradient.values, bn2.gamma.gradient.values))
        #expect(bitIdentical(bn1.beta.gradient.values, bn2.beta.gradient.values))
        // Evaluation mode: nothing fused, the ReLU applies itself.
        fused.isTraining = false; bn1.isTraining = false; relu1.isTraining = false
        bn2.isTraining = false; relu2.isTraining = false
        #expect(bitIdentical(try fused.forward(x).values, try relu2.forward(try bn2.forward(x)).values))
    }
}

/// A residual block whose add and ReLU run as one pass against the same block computed step by step.
@Suite("Fused residual add")
struct FusedResidualTests {
    @Test func fusedAddAndReLUEqualTheStepsBitForBit() throws {
        func block(fused: Bool) throws -> Residual {
            let body = try Sequential("body", [
                try Conv2D("conv1", inChannels: 4, outChannels: 4, kernelSize: 3, padding: .uniform(1), bias: false),
                try BatchNorm2D("bn1", features: 4), ReLU("relu1"),
                try Conv2D("conv2", inChannels: 4, outChannels: 4, kernelSize: 3, padding: .uniform(1), bias: false),
                try BatchNorm2D("bn2", features: 4),
            ])
            body.initialize(seed: 5)
            // Wrapped in a Sequential the ReLU is not seen as one: the block adds, then applies it as a layer.
            let activation: any Layer = fused ? ReLU("relu") : try Sequential("act", [ReLU("relu")])
            return Residual("block", body: body, shortcut: .identity, activation: activation)
        }
        let x = randomTensor([3, 4, 6, 6], seed: 1), dy = randomTensor([3, 4, 6, 6], seed: 2)
        let a = try block(fused: true), b = try block(fused: false)
        #expect(bitIdentical(try a.forward(x).values, try b.forward(x).values))
        #expect(bitIdentical(try a.backward(dy).values, try b.backward(dy).values))
        for (p, q) in zip(a.body.parameters, b.body.parameters) { #expect(bitIdentical(p.gradient.values, q.gradient.values)) }
    }
}

/// A convolution followed by a ReLU in a `Sequential` (the ReLU applied by the convolution in training)
/// against the two layers run apart, on every instruction-set path and through every kind of kernel.
@Suite("Fused convolution and ReLU")
struct FusedConvolutionReLUTests {
    struct Case: CustomStringConvertible, Sendable {
        var c: Int, o: Int, size: Int, kernel: Int, stride: Int, padding: Int, bias: Bool
        var description: String { "\(c)->\(o) \(kernel)x\(kernel)/\(stride) pad \(padding) on \(size)x\(size)\(bias ? "" : " no bias")" }
        func layer() throws -> Conv2D {
            let conv = try Conv2D("conv", inChannels: c, outChannels: o, kernelSize: Pair(kernel, kernel), stride: Pair(stride, stride),
                                  padding: .uniform(padding), bias: bias)
            conv.initialize(seed: 3)
            return conv
        }
    }

    static let cases = [
        Case(c: 3, o: 8, size: 12, kernel: 3, stride: 1, padding: 1, bias: true),     // direct
        Case(c: 8, o: 16, size: 12, kernel: 3, stride: 2, padding: 1, bias: false),   // direct, stride 2
        Case(c: 1, o: 6, size: 14, kernel: 5, stride: 1, padding: 0, bias: true),     // LeNet-5's C1
        Case(c: 128, o: 128, size: 4, kernel: 3, stride: 1, padding: 1, bias: true),  // Winograd, per-tap weights
        Case(c: 80, o: 72, size: 9, kernel: 3, stride: 1, padding: 0, bias: true),    // im2col
    ]

    @Test("fused equals apart, bit for bit", arguments: InstructionSet.supported)
    func fusedEqualsApart(_ isa: InstructionSet) throws {
        try InstructionSet.withActive(isa) {
            var forwardKernels = Set<String>(), weightKernels = Set<String>()
            for testCase in Self.cases {
                let fusedConv = try testCase.layer(), relu = ReLU("relu")
                let fused = try Sequential("fused", [fusedConv, relu])
                #expect(fusedConv.fusedReLU, "\(testCase)")
                let x = randomTensor([3, testCase.c, testCase.size, testCase.size], seed: 1)
                x.pointer[5] = .nan  // NaN reaches some outputs: kept by the ReLU and its gradient passed
                let yFused = try fused.forward(x).copy()
                let dy = randomTensor(yFused.shape, seed: 2)
                let dxFused = try fused.backward(dy).copy()

                let apartConv = try testCase.layer(), apartReLU = ReLU("relu")
                let yApart = try apartReLU.forward(try apartConv.forward(x)).copy()
                let dxApart = try apartConv.backward(try apartReLU.backward(dy)).copy()
                #expect(yFused.values.contains { $0.isNaN } && yFused.values.contains { $0 == 0 }, "\(testCase)")
                #expect(bitIdentical(yFused.values, yApart.values), "\(testCase): forward")
                #expect(bitIdentical(dxFused.values, dxApart.values), "\(testCase): input gradient")
                for (p, q) in zip(fusedConv.parameters, apartConv.parameters) {
                    #expect(bitIdentical(p.gradient.values, q.gradient.values), "\(testCase): \(p.name) gradient")
                }
                let choice = try fusedConv.geometry(batch: 3, height: testCase.size, width: testCase.size).kernelChoice
                forwardKernels.insert(String(choice.forward.prefix { $0 != " " && $0 != "+" }))
                weightKernels.insert(String(choice.backwardWeights.prefix { $0 != " " && $0 != "+" }))

                // Evaluation mode fuses nothing: the convolution's output is its own (what feature maps show).
                fused.setTraining(false); apartConv.isTraining = false
                let yEvaluated = try fusedConv.forward(x).copy()
                #expect(bitIdentical(yEvaluated.values, try apartConv.forward(x).values), "\(testCase): evaluation")
                #expect(yEvaluated.values.contains { $0 < 0 }, "\(testCase): evaluation output is not rectified")
            }
            // Every kind of kernel the path has was exercised.
            let direct: Set<String> = isa == .generic ? [] : ["direct", "direct-s2"]
            #expect(forwardKernels == direct.union(["winograd", "im2col"]), "\(isa): \(forwardKernels)")
            #expect(weightKernels.isSuperset(of: ["per-tap", "im2col"]), "\(isa): \(weightKernels)")
        }
    }

    @Test("a dense layer's fused ReLU equals the layers apart, bit for bit", arguments: InstructionSet.supported)
    func denseFusedEqualsApart(_ isa: InstructionSet) throws {
        try InstructionSet.withActive(isa) {
            func make() throws -> Dense {
                let dense = try Dense("fc", inFeatures: 40, outFeatures: 36)
                dense.initialize(seed: 4)
                return dense
            }
            let fusedDense = try make()
            let fused = try Sequential("fused", [fusedDense, ReLU("relu")])
            #expect(fusedDense.fusedReLU)
            let x = randomTensor([37, 40], seed: 1)
            x.pointer[3] = .nan
            let yFused = try fused.forward(x).copy()
            let dy = randomTensor(yFused.shape, seed: 2)
            let dxFused = try fused.backward(dy).copy()
            let apartDense = try make(), apartReLU = ReLU("relu")
            let yApart = try apartReLU.forward(try apartDense.forward(x)).copy()
            let dxApart = try apartDense.backward(try apartReLU.backward(dy)).copy()
            #expect(yFused.values.contains { $0.isNaN } && yFused.values.contains { $0 == 0 })
            #expect(bitIdentical(yFused.values, yApart.values))
            #expect(bitIdentical(dxFused.values, dxApart.values))
            for (p, q) in zip(fusedDense.parameters, apartDense.parameters) {
                #expect(bitIdentical(p.gradient.values, q.gradient.values), "\(p.name) gradient")
            }
        }
    }
}

/// The 2x2 max-pooling kernel against the window loop, its naive twin: the same maxima and the same
/// winners (seen through where the backward pass sends each gradient), with ties, NaN and -infinity.
@Suite("Max pooling kernel")
struct MaxPoolKernelTests {
    @Test("the 2x2 kernel picks what the window loop picks", arguments: [(6, 8), (7, 9), (2, 2), (3, 5)])
    func twoByTwoMatchesTheWindowLoop(_ size: (Int, Int)) throws {
        let (h, w) = size, n = 2, c = 3, oh = h / 2, ow = w / 2
        let x = randomTensor([n, c, h, w], seed: 11)
        // Ties (rounded values), NaN and -infinity in some windows.
        for i in 0..<x.count { x.pointer[i] = (x.pointer[i] * 4).rounded() / 4 }
        x.pointer[1] = .nan; x.pointer[w + 2] = .nan; x.pointer[5] = -.infinity
        x.pointer[x.count - 1] = .nan
        let layer = try MaxPool2D("pool", kernelSize: 2)
        let y = try layer.forward(x)
        let expected = [Float](repeating: 0, count: n * c * oh * ow), winners = [Int32](repeating: 0, count: n * c * oh * ow)
        var e = expected, at = winners
        e.withUnsafeMutableBufferPointer { ep in
            at.withUnsafeMutableBufferPointer { ap in
                naiveMaxPoolForward(ep.baseAddress!, ap.baseAddress!, x.pointer, planes: n * c, h: h, w: w, oh: oh, ow: ow,
                                    kernel: (2, 2), stride: (2, 2), padding: (0, 0))
            }
        }
        #expect(bitIdentical(y.values, e))
        // Each output's gradient (its index + 1) must land on the winner the loop chose.
        let dy = Tensor(shape: y.shape)
        for i in 0..<dy.count { dy.pointer[i] = Float(i + 1) }
        let dx = try layer.backward(dy)
        var expectedDx = [Float](repeating: 0, count: x.count)
        for plane in 0..<n * c { for o in 0..<oh * ow { expectedDx[plane * h * w + Int(at[plane * oh * ow + o])] += Float(plane * oh * ow + o + 1) } }
        #expect(bitIdentical(dx.values, expectedDx))
    }
}
