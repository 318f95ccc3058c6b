// Winograd F(2x2, 3x3) convolution for the wide 3x3 layers (VGG's 128- to 512-channel ones), forward
// and input gradient: 16 multiplies per input channel for each 2x2 block of outputs where im2col + GEMM
// does 36, with the transforms in CKernels/winograd.c (winograd_avx512.c for maps of 8x8 and less on
// AVX-512) and the 16 products by the engine's GEMM. The weight gradient is not Winograd's: im2col +
// GEMM, or one GEMM per tap on small maps (`ConvGeometry.weightKernel`). The naive twins are `naiveConv2dForward`/`naiveConv2dBackward`.
//
// Work is split by chunks of images fixed by the shape (`winogradChunkImages`), as im2col's, so the result
// does not depend on the number of threads.
import CKernels
import Foundation

extension ConvGeometry {
    /// Whether the forward pass and the input gradient go through Winograd F(2x2, 3x3): 3x3, stride 1,
    /// padding 1 on every side, no dilation or groups, and channels too many for the direct kernels
    /// (`usesDirectKernel` false): at least `Winograd.minimumChannels` on both sides. `CNNBENCH_WINOGRAD=0`
    /// turns it off (to compare with im2col + GEMM).
    public var usesWinograd: Bool {
        Winograd.enabled && kernelHeight == 3 && kernelWidth == 3 && strideY == 1 && strideX == 1
            && padTop == 1 && padBottom == 1 && padLeft == 1 && padRight == 1
            && dilationY == 1 && dilationX == 1 && groups == 1
            && inChannels >= Winograd.minimumChannels && outChannels >= Winograd.minimumChannels
            && !usesDirectKernel
    }

    /// 2x2 tiles per image.
    var winogradTiles: Int { ((outHeight + 1) / 2) * ((outWidth + 1) / 2) }
    /// Images per chunk: enough for `Winograd.minimumTiles` GEMM columns, fixed by the shape.
    var winogradChunkImages: Int { max(1, min(batch, (Winograd.minimumTiles + winogradTiles - 1) / winogradTiles)) }
    var winogradChunkCount: Int { (batch + winogradChunkImages - 1) / winogradChunkImages }
}

/// Settings of the Winograd path.
public enum Winograd {
    static let enabledSwitch = EnvironmentSwitch<Bool>.onOff("CNNBENCH_WINOGRAD")

    /// Whether `CNNBENCH_WINOGRAD` leaves the Winograd path on (unset, `1` or `on`) or turns it off
    /// (`0` or `off`), or an error that names the variable and its values.
    public static func isEnabled(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Bool {
        try enabledSwitch.value(in: environment)
    }

    /// False when `CNNBENCH_WINOGRAD=0` sends the wide 3x3 layers back to im2col + GEMM.
    public static let enabled = enabledSwitch.valueOfProcess(instead: "Winograd stays on")
    /// Layers with fewer channels on either side keep their kernels: the 16 products are too small there
    /// (measured on a quiet Zen 4, VGG-11 at batch 128, 1 thread: its 64->128 layer at 16x16 took 63 + 138 ms
    /// forward + backward with Winograd against 49 + 112 with im2col + oneDNN, while the 256- and
    /// 512-channel layers gained 17-25 %; BENCHMARKS.md, "Session 5").
    public static let minimumChannels = 128
    /// GEMM columns (tiles) per chunk.
    static let minimumTiles = 256

    /// y = conv(x, w) + bias (inChannels -> outChannels; then max(0, y) chunk by chunk with `relu`), or,
    /// with `inputGradient`, dx = the input gradient of that convolution from dy (outChannels -> inChannels,
    /// the kernel rotated).
    static func run(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>?, geometry g: ConvGeometry, inputGradient: Bool, scratch: Scratch,
                    relu: Bool = false) {
        let cIn = inputGradient ? g.outChannels : g.inChannels, cOut = inputGradient ? g.inChannels : g.outChannels
        let h = g.outHeight, wd = g.outWidth  // "same" convolution: input, output and gradient maps are equal
        let th = (h + 1) / 2, tw = (wd + 1) / 2
        let chunk = g.winogradChunkImages, chunks = g.winogradChunkCount, ldt = chunk * th * tw
        // U: 16 (cOut x cIn) matrices, shared; transformed in blocks of rows by all workers.
        let uCount = 16 * cOut * cIn
        let u = UncheckedSendable(scratch.shared(count: uCount))
        let rowBlock = 16
        Parallel.forEach((cOut + rowBlock - 1) / rowBlock) { block, _ in
            cnn_wino_weights(u.value, w, Int32(g.outChannels), Int32(g.inChannels), inputGradient ? 1 : 0,
                             Int32(block * rowBlock), Int32(min(cOut, (block + 1) * rowBlock)))
        }
        let vCount = 16 * cIn * ldt, mCount = 16 * cOut * ldt, padCount = (2 * th + 2) * (2 * tw + 2)
        let workers = Parallel.workerCount(for: chunks)
        let buffers = UncheckedSendable(scratch.buffers(workers: workers, count: vCount + mCount + padCount + 4 * th * tw))
        let inImage = cIn * h * wd, outImage = cOut * h * wd
        let out = UncheckedSendable(y), input = UncheckedSendable(x), b = UncheckedSendable(bias)
        // The transforms on AVX-512 where that path is active and the maps are 8x8 or less (the same bits as the
        // scalar ones). Its gathers and scatters lose to the scalar code's row-wise reads on larger maps
        // (quiet Zen 4, 128 images, input + output transform: 256 channels of 8x8 51 -> 32 ms, 512 of 4x4
        // 32 -> 14, 512 of 2x2 8.5 -> 2.3; but 128 of 16x16 67 -> 70).
        let avx512 = InstructionSet.active == .avx512 && h * wd <= 64
        // Fewer chunks than threads (VGG's 2x2 maps: the whole batch is one chunk): chunks one after the
        // other, each chunk's 16 GEMMs spread over the threads instead. Either way every GEMM has the same
        // shape and operands, so the bits do not depend on the number of threads.
        let spreadGEMMs = chunks < Parallel.threadCount
        Parallel.forEach(chunks, workers: spreadGEMMs ? 1 : workers) { chunkIndex, worker in
            let n0 = chunkIndex * chunk, nc = min(chunk, g.batch - n0), t = nc * th * tw
            let v = buffers.value[worker], m = v + vCount, pad = m + mCount, tile = pad + padCount
            if avx512 {
                cnn_wino_input_avx512(v, ldt, input.value + n0 * inImage, Int32(nc), Int32(cIn), Int32(h), Int32(wd))
            } else {
                cnn_wino_input(v, ldt, input.value + n0 * inImage, Int32(nc), Int32(cIn), Int32(h), Int32(wd), pad)
            }
            let vm = UncheckedSendable((v, m))
            Parallel.forEach(16, workers: spreadGEMMs ? nil : 1) { xi, _ in
                let (v, m) = vm.value
                gemm(c: m + xi * cOut * ldt, ldc: ldt, a: u.value + xi * cOut * cIn, lda: cIn, transposeA: false,
                     b: v + xi * cIn * ldt, ldb: ldt, transposeB: false, m: cOut, n: t, k: cIn)
            }
            if avx512 {
                cnn_wino_output_avx512(out.value + n0 * outImage, m, ldt, Int32(nc), Int32(cOut), Int32(h), Int32(wd), b.value)
            } else {
                cnn_wino_output(out.value + n0 * outImage, m, ldt, Int32(nc), Int32(cOut), Int32(h), Int32(wd), b.value, tile)
            }
            if relu { vectorRectify(out.value + n0 * outImage, nc * outImage) }
        }
    }
}

/// `conv2dForward` by Winograd F(2x2, 3x3).
/// - Precondition: `g.usesWinograd`.
public func winogradConv2dForward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                  bias: UnsafePointer<Float>?, geometry g: ConvGeometry, scratch: Scratch, relu: Bool = false) {
    precondition(g.usesWinograd, "Winograd F(2x2, 3x3) cannot compute \(g)")
    Winograd.run(y: y, x: x, w: w, bias: bias, geometry: g, inputGradient: false, scratch: scratch, relu: relu)
}

/// The input gradient of `conv2dBackward` by Winograd F(2x2, 3x3): dx overwritten.
/// - Precondition: `g.usesWinograd`.
public func winogradConv2dInputGradient(dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                        geometry g: ConvGeometry, scratch: Scratch) {
    precondition(g.usesWinograd, "Winograd F(2x2, 3x3) cannot compute \(g)")
    Winograd.run(y: dx, x: dy, w: w, bias: nil, geometry: g, inputGradient: true, scratch: scratch)
}
