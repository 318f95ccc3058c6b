// Direct convolution for few-channel layers of stride 1 (ResNet-20's stages, LeNet-5's C1 and C3) and
// stride 2 (ResNet's downsampling convolutions): no im2col and no BLAS packing, which cost as much as
// the multiply there. The register-tiled
// kernels are C (Sources/CKernels): AVX-512 (16 lanes over a flat grid of padded rows) or AVX2 + FMA
// (8 lanes along each row), as `InstructionSet.active` says; this file batches them over images
// and threads. Work is split by images (forward) and by reduction groups of images fixed by the
// shape (backward), so results do not depend on the number of threads.
//
// Stride 2 reads the padded input as four phase planes (even and odd rows and columns), on which
// every tap is a stride-1 read; its input gradient is four stride-1 convolutions, one per phase of dx,
// each with the taps of that phase's parity (no multiply by an inserted zero), by the stride-1 kernels.
//
// Shape letters as in Convolution.swift; Hp x Wp is a zero-padded plane, Hq x Wq a phase plane.
import CKernels
import Foundation

/// Whether the direct kernels can run here, and which layers take them.
public enum DirectConvolution {
    /// What `CNNBENCH_DIRECT_CONV` asks for.
    public enum Mode: Sendable, CaseIterable {
        /// Unset, `1` or `on`: the measured rules below choose.
        case rules
        /// `0` or `off`: every layer on im2col + GEMM (to compare with the direct kernels).
        case off
        /// `all`: every pass the direct kernels support goes to them, past the rules
        /// (`directWeightPassPays`, `directDataPassPays`), to re-measure those rules on a new machine.
        case all
    }

    static let modeSwitch = EnvironmentSwitch<Mode>(
        name: "CNNBENCH_DIRECT_CONV", unset: .rules, words: [("1", .rules), ("on", .rules), ("0", .off), ("off", .off), ("all", .all)],
        expected: "1 (or on, or unset: the measured rules), 0 (or off) or all")

    /// The mode `CNNBENCH_DIRECT_CONV` names, or an error that names the variable and its values.
    public static func mode(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Mode {
        try modeSwitch.value(in: environment)
    }

    static let modeOfProcess = modeSwitch.valueOfProcess(instead: "using the measured rules")

    /// False when `CNNBENCH_DIRECT_CONV=0` turns the direct kernels off (to compare with im2col + GEMM).
    public static var enabled: Bool { modeOfProcess != .off }

    /// True when `CNNBENCH_DIRECT_CONV=all` sends every pass the direct kernels support to them.
    public static var forcedEverywhere: Bool { modeOfProcess == .all }

    /// True when the active path has direct kernels (AVX2 or AVX-512) and they are not turned off.
    public static var isAvailable: Bool { enabled && InstructionSet.active >= .avx2 }

    /// Layers with more channels than this on either side go to im2col + GEMM, which is faster there
    /// (measured on a quiet Zen 5: VGG's 128- and 256-channel layers run at 66-70 % of peak in all three
    /// passes with im2col + oneDNN; the AVX-512 direct kernels match that forward and lose in the
    /// weight gradient, 37-55 %).
    public static let maximumChannels = 64

    /// Whether the direct kernels compute `g` at all (whatever the CPU): stride 1 or 2 (the same both
    /// ways), no dilation, one group, a kernel at most 7 wide, padding smaller than the kernel on every side.
    public static func supports(_ g: ConvGeometry) -> Bool {
        ((g.strideY == 1 && g.strideX == 1) || g.isStride2) && g.dilationY == 1 && g.dilationX == 1 && g.groups == 1
            && g.kernelWidth <= Int(CNN_DIRECT_MAX_KERNEL_WIDTH)
            && g.padTop < g.kernelHeight && g.padBottom < g.kernelHeight
            && g.padLeft < g.kernelWidth && g.padRight < g.kernelWidth
    }
}

/// The two vector widths of the direct kernels: how their planes are laid out and which C functions run.
enum DirectPath {
    case avx2, avx512

    static var active: DirectPath { InstructionSet.active == .avx512 ? .avx512 : .avx2 }

    /// Row stride of a padded plane for `outWidth` outputs of a `kernelWidth`-wide kernel.
    func rowStride(outWidth: Int, kernelWidth: Int) -> Int {
        switch self {
        case .avx2: Int(cnn_direct_row_stride(Int32(outWidth), Int32(kernelWidth)))
        case .avx512: Int(cnn_direct512_row_stride(Int32(outWidth), Int32(kernelWidth)))
        }
    }
    /// Row stride of a stride-2 phase plane for `outWidth` outputs of a `kernelWidth`-wide kernel.
    func phaseRowStride(outWidth: Int, kernelWidth: Int) -> Int {
        switch self {
        case .avx2: Int(cnn_direct_s2_row_stride(Int32(outWidth), Int32(kernelWidth)))
        case .avx512: Int(cnn_direct512_s2_row_stride(Int32(outWidth), Int32(kernelWidth)))
        }
    }
    /// Readable floats a buffer of padded planes needs past its last plane.
    var slack: Int { self == .avx512 ? Int(CNN_DIRECT512_SLACK) : 0 }

    /// `cnn_direct_pad`: `channels` planes of srcH x srcW into hp x wp planes at row `top`, column `left`,
    /// zero elsewhere (on AVX-512 by masked whole vectors, the same values).
    func pad(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ channels: Int32, _ srcH: Int32, _ srcW: Int32,
             _ top: Int32, _ left: Int32, _ hp: Int32, _ wp: Int32) {
        switch self {
        case .avx2: cnn_direct_pad(dst, src, channels, srcH, srcW, top, left, hp, wp)
        case .avx512: cnn_direct512_pad(dst, src, channels, srcH, srcW, top, left, hp, wp)
        }
    }

    /// `cnn_direct_pad_phases`: the four stride-2 phase planes (hq x wq) of each padded channel.
    func padPhases(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ channels: Int32, _ srcH: Int32, _ srcW: Int32,
                   _ top: Int32, _ left: Int32, _ hq: Int32, _ wq: Int32) {
        switch self {
        case .avx2: cnn_direct_pad_phases(dst, src, channels, srcH, srcW, top, left, hq, wq)
        case .avx512: cnn_direct512_pad_phases(dst, src, channels, srcH, srcW, top, left, hq, wq)
        }
    }

    func forward(_ y: UnsafeMutablePointer<Float>, _ xp: UnsafePointer<Float>, _ packed: UnsafePointer<Float>,
                 _ bias: UnsafePointer<Float>?, _ c: Int32, _ hp: Int32, _ wp: Int32, _ o: Int32,
                 _ kh: Int32, _ kw: Int32, _ oh: Int32, _ ow: Int32) {
        switch self {
        case .avx2: cnn_direct_conv_forward(y, xp, packed, bias, c, hp, wp, o, kh, kw, oh, ow)
        case .avx512: cnn_direct512_conv_forward(y, xp, packed, bias, c, hp, wp, o, kh, kw, oh, ow)
        }
    }

    /// The stride-2 forward kernel: xq holds C groups of four phase planes of hq x wq.
    func forwardStride2(_ y: UnsafeMutablePointer<Float>, _ xq: UnsafePointer<Float>, _ packed: UnsafePointer<Float>,
                        _ bias: UnsafePointer<Float>?, _ c: Int32, _ hq: Int32, _ wq: Int32, _ o: Int32,
                        _ kh: Int32, _ kw: Int32, _ oh: Int32, _ ow: Int32) {
        switch self {
        case .avx2: cnn_direct_conv_forward_s2(y, xq, packed, bias, c, hq, wq, o, kh, kw, oh, ow)
        case .avx512: cnn_direct512_conv_forward_s2(y, xq, packed, bias, c, hq, wq, o, kh, kw, oh, ow)
        }
    }

    /// The weight-gradient kernel of stride 1, or of stride 2 on phase planes (`stride2`).
    func weightGradient(_ dw: UnsafeMutablePointer<Float>, _ dyp: UnsafePointer<Float>, _ xp: UnsafePointer<Float>,
                        _ images: Int32, _ dyImage: Int, _ xImage: Int, _ c: Int32, _ hp: Int32, _ wp: Int32,
                        _ o: Int32, _ kh: Int32, _ kw: Int32, _ oh: Int32, _ ow: Int32, stride2: Bool) {
        switch (self, stride2) {
        case (.avx2, false): cnn_direct_conv_weight_gradient(dw, dyp, xp, images, dyImage, xImage, c, hp, wp, o, kh, kw, oh, ow)
        case (.avx512, false): cnn_direct512_conv_weight_gradient(dw, dyp, xp, images, dyImage, xImage, c, hp, wp, o, kh, kw, oh, ow)
        case (.avx2, true): cnn_direct_conv_weight_gradient_s2(dw, dyp, xp, images, dyImage, xImage, c, hp, wp, o, kh, kw, oh, ow)
        case (.avx512, true): cnn_direct512_conv_weight_gradient_s2(dw, dyp, xp, images, dyImage, xImage, c, hp, wp, o, kh, kw, oh, ow)
        }
    }
}

extension ConvGeometry {
    /// Whether `conv2dForward` and `conv2dBackward` take the direct kernels for this layer. Stride-2 layers
    /// take them where measured faster: ResNet-20's 3x3 downsampling convolutions (16->32, 32->64), in
    /// the forward pass on both paths (quiet Zen 4, wall clock, batch 128, GFLOP/s direct against im2col
    /// + oneDNN: 16->32 56 / 44 on AVX-512, 51 / 31 on AVX2; 32->64 65 / 59 and 72 / 56; BENCHMARKS.md).
    /// 1x1 stride-2 projections were not measured and keep im2col.
    public var usesDirectKernel: Bool {
        DirectConvolution.isAvailable && DirectConvolution.supports(self) && !isPointwise
            && !(isStride2 && kernelHeight * kernelWidth == 1)
            && inChannels <= DirectConvolution.maximumChannels && outChannels <= DirectConvolution.maximumChannels
    }

    /// Whether the direct kernel pays for the weight gradient too. Maps of 8x8 outputs or less give each
    /// call too few vectors per horizontal sum: im2col + oneDNN is faster there, on both paths and both
    /// strides (quiet Zen 4, wall clock, ResNet-20 at batch 128, medians of 5 alternating runs, GFLOP/s
    /// direct against im2col: 64x8x8 stride 1 62 / 70 on AVX-512, 67 / 70 on AVX2; 32->64 stride 2 48 / 55
    /// and 45 / 53; quiet Zen 5, stride 1: 87-113 against 125-129). At 16x16 outputs and more the direct
    /// kernel wins (16->32 stride 2: 49 / 40 and 49 / 41). BENCHMARKS.md, "Session 5".
    public var directWeightPassPays: Bool {
        DirectConvolution.forcedEverywhere || outPlane > 64
    }

    /// Whether the direct kernel pays for the input gradient too. It runs over every input position, so
    /// it multiplies zeros wherever the forward pass had less padding than "same": LeNet-5's C3 (14x14
    /// input, 10x10 output) would do twice the work of im2col + GEMM there (at stride 2 each input
    /// position takes a quarter of the taps, so the area compared is the output's times 4). Its tiles are
    /// 4 input channels wide, so it also leaves layers with fewer than 4 input channels to im2col. At
    /// stride 2 it wins on both paths (same runs: 32->64 62 / 55 GFLOP/s on AVX-512, 58 / 54 on AVX2;
    /// 16->32 60 / 46 and 52 / 45).
    public var directDataPassPays: Bool {
        if DirectConvolution.forcedEverywhere { return inChannels >= 4 }
        return 4 * inPlane <= 5 * outPlane * strideY * strideX && inChannels >= 4
    }

    /// Stride 2 in both directions.
    public var isStride2: Bool { strideY == 2 && strideX == 2 }

    /// Rows and row stride of a padded input plane (stride 1), or of each of its four phase planes (stride 2).
    func directPadded(_ path: DirectPath) -> (height: Int, width: Int) {
        if isStride2 {
            return (Int(cnn_direct_s2_phase_height(Int32(outHeight), Int32(kernelHeight))),
                    path.phaseRowStride(outWidth: outWidth, kernelWidth: kernelWidth))
        }
        return (outHeight + kernelHeight - 1, path.rowStride(outWidth: outWidth, kernelWidth: kernelWidth))
    }
    /// Floats of one image's padded input: C planes, or C groups of four phase planes.
    func directPaddedImageCount(_ path: DirectPath) -> Int {
        let (hp, wp) = directPadded(path)
        return inChannels * (isStride2 ? 4 : 1) * hp * wp
    }
    /// Row stride of the output gradient the weight kernel reads: whole vectors (AVX2); on AVX-512 the
    /// output's own width where it is whole vectors, else the input's grid.
    func directGradientStride(_ path: DirectPath) -> Int {
        switch (path, isStride2) {
        case (.avx2, _): Int(cnn_direct_gradient_stride(Int32(outWidth)))
        case (.avx512, false): Int(cnn_direct512_gradient_stride(Int32(outWidth), Int32(kernelWidth)))
        case (.avx512, true): Int(cnn_direct512_s2_gradient_stride(Int32(outWidth), Int32(kernelWidth)))
        }
    }
    /// Whether the weight kernel reads dy as it is (its rows already the layout it wants): no copy.
    func directReadsGradientInPlace(_ path: DirectPath) -> Bool { directGradientStride(path) == outWidth }
    /// Pads one image's input `x` into `padded` as the forward and weight kernels read it.
    func directPad(_ padded: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ path: DirectPath) {
        let (hp, wp) = directPadded(path)
        if isStride2 {
            path.padPhases(padded, x, Int32(inChannels), Int32(inHeight), Int32(inWidth),
                           Int32(padTop), Int32(padLeft), Int32(hp), Int32(wp))
        } else {
            path.pad(padded, x, Int32(inChannels), Int32(inHeight), Int32(inWidth),
                     Int32(padTop), Int32(padLeft), Int32(hp), Int32(wp))
        }
    }
    /// The four phases (py, px) of a stride-2 layer's input gradient, each a stride-1 convolution of dy.
    var directStride2Phases: [Stride2Phase] {
        var phases: [Stride2Phase] = []
        var packedOffset = 0
        for py in 0..<2 {
            for px in 0..<2 {
                let rows = Stride2Phase.Axis(parity: py, pad: padTop, extent: inHeight, kernel: kernelHeight)
                let columns = Stride2Phase.Axis(parity: px, pad: padLeft, extent: inWidth, kernel: kernelWidth)
                let phase = Stride2Phase(py: py, px: px, rows: rows, columns: columns, packedOffset: packedOffset)
                if !phase.isEmpty {
                    packedOffset += Int(cnn_direct_packed_count(Int32(inChannels), Int32(outChannels), Int32(rows.taps), Int32(columns.taps)))
                }
                phases.append(phase)
            }
        }
        return phases
    }
    /// Rows and row stride of a padded output-gradient plane for the backward-data pass.
    func directPaddedGradient(_ path: DirectPath) -> (height: Int, width: Int) {
        (inHeight + kernelHeight - 1, path.rowStride(outWidth: inWidth, kernelWidth: kernelWidth))
    }
    /// Images the weight-gradient kernel takes in one call, fixed by the shape and path (for reproducible
    /// sums): as many (up to 8) as keep one register tile's data (two gradient planes and an input plane
    /// an image) within 16 KB of L1 cache. Small maps take several, so they pay fewer horizontal sums.
    /// (Measured on a Zen 5 with the AVX-512 kernels: 1, 4 and 8 images for 32x32, 16x16 and 8x8 maps
    /// beat both fewer and more: 195 against 120 GFLOP/s for 1 or 4 images of 32x32.)
    func directImagesPerCall(_ path: DirectPath) -> Int {
        let (hp, wp) = directPadded(path)
        // A stride-2 tile reads two of each channel's four phase planes.
        let perImage = 2 * outHeight * directGradientStride(path) + (isStride2 ? 2 : 1) * hp * wp
        return max(1, min(8, 4096 / perImage))
    }
    /// Images per reduction group of the direct weight gradient (fixed by the shape).
    var directImagesPerReduction: Int { itemsPerReduction(batch) }
    var directReductionCount: Int { (batch + directImagesPerReduction - 1) / directImagesPerReduction }
}

/// One phase (py, px) of a stride-2 layer's input gradient: the input positions (y0 + 2u, x0 + 2v), u < rows.count,
/// v < columns.count, get a stride-1 convolution of dy (padded by rows.padding, columns.padding) with the
/// taps (py + 2a, px + 2b) of the kernel, flipped, channels swapped.
struct Stride2Phase {
    /// One direction of a phase: which input positions it covers and which taps reach them.
    struct Axis {
        /// First input position of this parity, number of them, taps of this parity, dy's padding before.
        var first: Int, count: Int, taps: Int, padding: Int

        /// Input positions p with (p + pad) % 2 == parity; the taps k < kernel with k % 2 == parity.
        init(parity: Int, pad: Int, extent: Int, kernel: Int) {
            first = ((parity - pad) % 2 + 2) % 2
            count = first < extent ? (extent - first + 1) / 2 : 0
            taps = (kernel - parity + 1) / 2
            // Input position first + 2u reads dy at (first + pad - parity) / 2 + u - a for tap parity + 2a.
            padding = taps - 1 - (first + pad - parity) / 2
        }
    }
    var py: Int, px: Int, rows: Axis, columns: Axis
    /// Where this phase's packed weights start.
    var packedOffset: Int
    /// No taps of this parity (a kernel 1 wide or tall): these input positions get no gradient.
    var isEmpty: Bool { rows.taps == 0 || columns.taps == 0 || rows.count == 0 || columns.count == 0 }
    /// Floats of this phase's input gradient for one image.
    func valueCount(channels: Int) -> Int { channels * rows.count * columns.count }

    /// The one padded dy plane every phase reads (each from its own corner): padded by the largest
    /// padding, tall and wide enough for each phase's reach.
    static func sharedPlane(_ phases: [Stride2Phase], _ path: DirectPath) -> (top: Int, left: Int, height: Int, width: Int) {
        let used = phases.filter { !$0.isEmpty }
        let top = used.map(\.rows.padding).max() ?? 0, left = used.map(\.columns.padding).max() ?? 0
        let height = used.map { top - $0.rows.padding + $0.rows.count + $0.rows.taps - 1 }.max() ?? 1
        let width = used.map { left - $0.columns.padding + path.rowStride(outWidth: $0.columns.count, kernelWidth: $0.columns.taps) }.max() ?? 1
        return (top, left, height, width)
    }
}

/// `conv2dForward` by the direct kernels: y [N, O, oh, ow] = conv(x [N, C, H, W], w) + b (then max(0, y)
/// image by image with `relu`).
/// - Precondition: `DirectConvolution.isAvailable` and `DirectConvolution.supports(g)`.
public func directConv2dForward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, geometry g: ConvGeometry, scratch: Scratch, relu: Bool = false) {
    precondition(DirectConvolution.isAvailable && DirectConvolution.supports(g), "direct convolution cannot compute \(g)")
    let path = DirectPath.active
    let (hp, wp) = g.directPadded(path)
    let c = Int32(g.inChannels), o = Int32(g.outChannels), kh = Int32(g.kernelHeight), kw = Int32(g.kernelWidth)
    let packed = UncheckedSendable(scratch.shared(count: Int(cnn_direct_packed_count(o, c, kh, kw))))
    cnn_direct_pack_weights(packed.value, w, o, c, kh, kw, 0)
    let workers = Parallel.workerCount(for: g.batch)
    let buffers = UncheckedSendable(scratch.buffers(workers: workers, count: g.directPaddedImageCount(path) + path.slack))
    let xImage = g.inChannels * g.inPlane, yImage = g.outChannels * g.outPlane
    let out = UncheckedSendable(y), b = UncheckedSendable(bias)
    let stride2 = g.isStride2
    Parallel.forEach(g.batch, workers: workers) { n, worker in
        let padded = buffers.value[worker]
        g.directPad(padded, x + n * xImage, path)
        if stride2 {
            path.forwardStride2(out.value + n * yImage, padded, packed.value, b.value, c, Int32(hp), Int32(wp),
                                o, kh, kw, Int32(g.outHeight), Int32(g.outWidth))
        } else {
            path.forward(out.value + n * yImage, padded, packed.value, b.value, c, Int32(hp), Int32(wp),
                         o, kh, kw, Int32(g.outHeight), Int32(g.outWidth))
        }
        if relu { vectorRectify(out.value + n * yImage, yImage) }
    }
}

/// `conv2dBackward` by the direct kernels: dx overwritten (if given), dw and db accumulate (if given).
///
/// dx is the forward kernel run on dy, padded by (kernel - 1 - padding), with the kernel flipped and
/// its channels swapped (for stride 2, once for each of dx's four phases, with that phase's taps); dw
/// sums the products of dy with the padded input, several images a call.
/// - Precondition: `DirectConvolution.isAvailable` and `DirectConvolution.supports(g)`.
public func directConv2dBackward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
                                 dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                 geometry g: ConvGeometry, scratch: Scratch, partials partialScratch: Scratch) {
    precondition(DirectConvolution.isAvailable && DirectConvolution.supports(g), "direct convolution cannot compute \(g)")
    let c = Int32(g.inChannels), o = Int32(g.outChannels), kh = Int32(g.kernelHeight), kw = Int32(g.kernelWidth)
    let oh = Int32(g.outHeight), ow = Int32(g.outWidth)
    let path = DirectPath.active, stride2 = g.isStride2
    let (hp, wp) = g.directPadded(path), (ghp, gwp) = g.directPaddedGradient(path)
    let gradientStride = g.directGradientStride(path), gradientInPlace = g.directReadsGradientInPlace(path)
    let perReduction = g.directImagesPerReduction, reductions = g.directReductionCount
    let xImage = g.inChannels * g.inPlane, yImage = g.outChannels * g.outPlane
    let phases = stride2 ? g.directStride2Phases : []

    // The backward-data weights: flipped, channels swapped; for stride 2, one sub-kernel per phase.
    let packedCount = stride2 ? phases.filter { !$0.isEmpty }.map { Int(cnn_direct_packed_count(c, o, Int32($0.rows.taps), Int32($0.columns.taps))) }.reduce(0, +)
        : Int(cnn_direct_packed_count(c, o, kh, kw))
    let packed = UncheckedSendable(dx == nil ? nil : scratch.shared(count: max(packedCount, 1)))
    if let packed = packed.value {
        if stride2 {
            for phase in phases where !phase.isEmpty {
                cnn_direct_pack_phase_weights(packed + phase.packedOffset, w, o, c, kh, kw, Int32(phase.py), Int32(phase.px))
            }
        } else {
            cnn_direct_pack_weights(packed, w, o, c, kh, kw, 1)
        }
    }
    // Per worker: up to `imagesPerCall` padded inputs and output gradients for the weight kernel,
    // and one padded output gradient (and, for stride 2, one phase of dx) for the data kernel.
    let imagesPerCall = min(perReduction, g.directImagesPerCall(path))
    let xSize = dw != nil ? g.directPaddedImageCount(path) : 0
    // dy's own images are `dySize` floats apart too when the kernel reads them in place (no buffer needed).
    let dySize = dw != nil ? g.outChannels * g.outHeight * gradientStride : 0
    let dyBuffer = gradientInPlace ? 0 : dySize
    let dxSize: Int
    if dx == nil {
        dxSize = 0
    } else if stride2 {
        // The shared padded dy plane (read up to a few floats past its corner: twice the slack), then
        // every phase's values.
        let plane = Stride2Phase.sharedPlane(phases, path)
        dxSize = g.outChannels * plane.height * plane.width + 2 * path.slack
            + phases.map { $0.valueCount(channels: g.inChannels) }.reduce(0, +)
    } else {
        dxSize = g.outChannels * ghp * gwp
    }
    let weightCount = g.weightCount
    let workers = Parallel.workerCount(for: reductions)
    let buffers = UncheckedSendable(scratch.buffers(workers: workers,
                                                    count: imagesPerCall * (xSize + dyBuffer) + dxSize + path.slack))
    let partials = UncheckedSendable(partialScratch.buffers(workers: 1, count: dw != nil ? reductions * weightCount : 1)[0])
    let dxPointer = UncheckedSendable(dx), computeWeights = dw != nil
    let unreached = phases.contains { $0.isEmpty }
    let shared = stride2 ? Stride2Phase.sharedPlane(phases, path) : (top: 0, left: 0, height: 0, width: 0)

    Parallel.forEach(reductions, workers: workers) { reduction, worker in
        let paddedX = buffers.value[worker], paddedDy = paddedX + imagesPerCall * xSize
        let paddedDx = paddedDy + imagesPerCall * dyBuffer
        let partial = partials.value + reduction * weightCount
        if computeWeights { partial.update(repeating: 0, count: weightCount) }
        let first = reduction * perReduction, end = min(g.batch, first + perReduction)
        for n0 in stride(from: first, to: end, by: imagesPerCall) {
            let count = min(imagesPerCall, end - n0)
            if computeWeights {
                for b in 0..<count {
                    g.directPad(paddedX + b * xSize, x + (n0 + b) * xImage, path)
                    if !gradientInPlace {
                        path.pad(paddedDy + b * dySize, dy + (n0 + b) * yImage, o, oh, ow, 0, 0, oh, Int32(gradientStride))
                    }
                }
                path.weightGradient(partial, gradientInPlace ? dy + n0 * yImage : UnsafePointer(paddedDy), paddedX, Int32(count),
                                    dySize, xSize, c, Int32(hp), Int32(wp), o, kh, kw, oh, ow, stride2: stride2)
            }
            guard let dx = dxPointer.value, let packed = packed.value else { continue }
            for n in n0..<n0 + count {
                if stride2 {
                    let dxImage = dx + n * xImage
                    if unreached { dxImage.update(repeating: 0, count: xImage) }
                    // dy padded once; each phase's stride-1 convolution reads it from its own corner.
                    path.pad(paddedDx, dy + n * yImage, o, oh, ow, Int32(shared.top), Int32(shared.left),
                                   Int32(shared.height), Int32(shared.width))
                    var values = paddedDx + g.outChannels * shared.height * shared.width + 2 * path.slack
                    var phaseValues: [UnsafeMutablePointer<Float>?] = [nil, nil, nil, nil]
                    for (p, phase) in phases.enumerated() where !phase.isEmpty {
                        let corner = paddedDx + (shared.top - phase.rows.padding) * shared.width + shared.left - phase.columns.padding
                        path.forward(values, corner, packed + phase.packedOffset, nil, o, Int32(shared.height), Int32(shared.width), c,
                                     Int32(phase.rows.taps), Int32(phase.columns.taps), Int32(phase.rows.count), Int32(phase.columns.count))
                        phaseValues[p] = values
                        values += phase.valueCount(channels: g.inChannels)
                    }
                    // Each row parity: the phase whose columns start at 0 takes the even columns.
                    for py in 0..<2 where phases[2 * py].rows.count > 0 {
                        let evenFirst = phases[2 * py].columns.first == 0
                        let even = phaseValues[evenFirst ? 2 * py : 2 * py + 1], odd = phaseValues[evenFirst ? 2 * py + 1 : 2 * py]
                        if even == nil && odd == nil { continue }
                        cnn_direct_interleave_phases(dxImage, even, odd, c, Int32(g.inHeight), Int32(g.inWidth),
                                                     Int32(phases[2 * py].rows.first), Int32(phases[2 * py].rows.count))
                    }
                } else {
                    path.pad(paddedDx, dy + n * yImage, o, oh, ow, kh - 1 - Int32(g.padTop), kw - 1 - Int32(g.padLeft),
                                   Int32(ghp), Int32(gwp))
                    path.forward(dx + n * xImage, paddedDx, packed, nil, o, Int32(ghp), Int32(gwp),
                                 c, kh, kw, Int32(g.inHeight), Int32(g.inWidth))
                }
            }
        }
    }
    if let dw { addPartials(into: dw, partials: partials.value, count: reductions, size: weightCount) }
    if let db { addBiasGradient(into: db, dy: dy, geometry: g) }
}

/// Which kernels compute each pass of a convolution, as `cnnbench time --kernels` prints them.
public struct ConvKernelChoice: Equatable, Sendable, Codable {
    public var forward: String, backwardData: String, backwardWeights: String
}

/// The kernels of one pass of a convolution.
enum ConvKernel {
    /// The register-tiled direct kernels (DirectConvolution.swift).
    case direct
    /// Winograd F(2x2, 3x3) (Winograd.swift): the forward pass and the input gradient of wide 3x3 layers.
    case winograd
    /// One GEMM per kernel tap (TapWeightGradient.swift): the weight gradient of small maps.
    case perTap
    /// im2col + GEMM (Convolution.swift): any layer.
    case im2col
}

extension ConvGeometry {
    /// The one place that decides each pass's kernels, from the rules of each kind (`usesDirectKernel`,
    /// `directDataPassPays`, `directWeightPassPays`, `usesWinograd`, `usesTapWeightGradient`).
    var forwardKernel: ConvKernel { usesDirectKernel ? .direct : usesWinograd ? .winograd : .im2col }
    var dataKernel: ConvKernel {
        usesWinograd ? .winograd : usesDirectKernel && directDataPassPays ? .direct : .im2col
    }
    var weightKernel: ConvKernel {
        usesDirectKernel && directWeightPassPays ? .direct : usesTapWeightGradient ? .perTap : .im2col
    }

    /// The kernels `conv2dForward` and `conv2dBackward` take for this layer on the active path:
    /// "direct avx512", "direct avx2", for stride 2 "direct-s2 avx512", "direct-s2 avx2" (backward-data:
    /// four stride-1 phase convolutions), "winograd+<GEMM>" (forward and backward-data of wide 3x3
    /// layers), "per-tap+<GEMM>" (the weight gradient of small maps: TapWeightGradient.swift), or "im2col+<GEMM>".
    public var kernelChoice: ConvKernelChoice {
        func name(_ kernel: ConvKernel) -> String {
            switch kernel {
            case .direct: "\(isStride2 ? "direct-s2" : "direct") \(InstructionSet.active)"
            case .winograd: "winograd+\(GEMMBackend.current)"
            case .perTap: "per-tap+\(GEMMBackend.current)"
            case .im2col: "im2col+\(GEMMBackend.current)"
            }
        }
        return ConvKernelChoice(forward: name(forwardKernel), backwardData: name(dataKernel), backwardWeights: name(weightKernel))
    }
}
