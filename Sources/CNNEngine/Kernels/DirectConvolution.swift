// Direct convolution for few-channel, stride-1 layers (ResNet-20's stages, LeNet-5's C1 and C3):
// no im2col and no BLAS packing, which cost as much as the multiply there. The register-tiled
// kernels are C (Sources/CKernels): AVX-512 (16 lanes over a flat grid of padded rows) or AVX2 + FMA
// (8 lanes along each row), as `InstructionSet.active` says; this file batches them over images
// and threads. Work is split by images (forward) and by reduction groups of images fixed by the
// shape (backward), so results do not depend on the number of threads.
//
// Shape letters as in Convolution.swift; Hp x Wp is a zero-padded plane.
import CKernels
import Foundation

/// Whether the direct kernels can run here, and which layers take them.
public enum DirectConvolution {
    /// False when `CNNBENCH_DIRECT_CONV=0` turns the direct kernels off (to compare with im2col + GEMM).
    public static let enabled = ProcessInfo.processInfo.environment["CNNBENCH_DIRECT_CONV"] != "0"

    /// True when the active path has direct kernels (AVX2 or AVX-512) and they are not turned off.
    public static var isAvailable: Bool { enabled && InstructionSet.active >= .avx2 }

    /// Layers with more channels than this on either side go to im2col + GEMM, which is faster there
    /// (measured on a quiet Zen 5: VGG's 128- and 256-channel layers run at 66-70 % of peak in all three
    /// passes with im2col + oneDNN; the AVX-512 direct kernels match that forward and lose in the
    /// weight gradient, 37-55 %).
    public static let maximumChannels = 64

    /// Whether the direct kernels compute `g` at all (whatever the CPU): stride 1, no dilation, one
    /// group, a kernel at most 7 wide, padding smaller than the kernel on every side.
    public static func supports(_ g: ConvGeometry) -> Bool {
        g.strideY == 1 && g.strideX == 1 && g.dilationY == 1 && g.dilationX == 1 && g.groups == 1
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
    /// Row stride of a padded output-gradient plane for the weight gradient.
    func gradientStride(outWidth: Int, kernelWidth: Int) -> Int {
        switch self {
        case .avx2: Int(cnn_direct_gradient_stride(Int32(outWidth)))
        case .avx512: rowStride(outWidth: outWidth, kernelWidth: kernelWidth)
        }
    }
    /// Readable floats a buffer of padded planes needs past its last plane.
    var slack: Int { self == .avx512 ? Int(CNN_DIRECT512_SLACK) : 0 }

    func forward(_ y: UnsafeMutablePointer<Float>, _ xp: UnsafePointer<Float>, _ packed: UnsafePointer<Float>,
                 _ bias: UnsafePointer<Float>?, _ c: Int32, _ hp: Int32, _ wp: Int32, _ o: Int32,
                 _ kh: Int32, _ kw: Int32, _ oh: Int32, _ ow: Int32) {
        switch self {
        case .avx2: cnn_direct_conv_forward(y, xp, packed, bias, c, hp, wp, o, kh, kw, oh, ow)
        case .avx512: cnn_direct512_conv_forward(y, xp, packed, bias, c, hp, wp, o, kh, kw, oh, ow)
        }
    }

    func weightGradient(_ dw: UnsafeMutablePointer<Float>, _ dyp: UnsafePointer<Float>, _ xp: UnsafePointer<Float>,
                        _ images: Int32, _ dyImage: Int, _ xImage: Int, _ c: Int32, _ hp: Int32, _ wp: Int32,
                        _ o: Int32, _ kh: Int32, _ kw: Int32, _ oh: Int32, _ ow: Int32) {
        switch self {
        case .avx2: cnn_direct_conv_weight_gradient(dw, dyp, xp, images, dyImage, xImage, c, hp, wp, o, kh, kw, oh, ow)
        case .avx512: cnn_direct512_conv_weight_gradient(dw, dyp, xp, images, dyImage, xImage, c, hp, wp, o, kh, kw, oh, ow)
        }
    }
}

extension ConvGeometry {
    /// Whether `conv2dForward` and `conv2dBackward` take the direct kernels for this layer.
    public var usesDirectKernel: Bool {
        DirectConvolution.isAvailable && DirectConvolution.supports(self) && !isPointwise
            && inChannels <= DirectConvolution.maximumChannels && outChannels <= DirectConvolution.maximumChannels
    }

    /// Whether the direct kernel pays for the weight gradient too. With AVX-512, maps of 8x8 or less give
    /// each call too few vectors per horizontal sum: im2col + oneDNN is faster there (measured on a quiet
    /// Zen 5 for ResNet-20's 64-channel 8x8 layers: 125-129 GFLOP/s against 87-113).
    public var directWeightPassPays: Bool { DirectPath.active == .avx2 || outPlane > 64 }

    /// Whether the direct kernel pays for the input gradient too. It runs over every input position, so
    /// it multiplies zeros wherever the forward pass had less padding than "same": LeNet-5's C3 (14x14
    /// input, 10x10 output) would do twice the work of im2col + GEMM there. Its tiles are 4 input
    /// channels wide, so it also leaves layers with fewer than 4 input channels to im2col.
    public var directDataPassPays: Bool { 4 * inPlane <= 5 * outPlane && inChannels >= 4 }

    /// Rows and row stride of a padded input plane.
    func directPadded(_ path: DirectPath) -> (height: Int, width: Int) {
        (outHeight + kernelHeight - 1, path.rowStride(outWidth: outWidth, kernelWidth: kernelWidth))
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
        let perImage = 2 * outHeight * path.gradientStride(outWidth: outWidth, kernelWidth: kernelWidth) + hp * wp
        return max(1, min(8, 4096 / perImage))
    }
    /// Images per reduction group of the direct weight gradient (fixed by the shape).
    var directImagesPerReduction: Int { itemsPerReduction(batch) }
    var directReductionCount: Int { (batch + directImagesPerReduction - 1) / directImagesPerReduction }
}

/// `conv2dForward` by the direct kernels: y [N, O, oh, ow] = conv(x [N, C, H, W], w) + b.
/// - Precondition: `DirectConvolution.isAvailable` and `DirectConvolution.supports(g)`.
public func directConv2dForward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, geometry g: ConvGeometry, scratch: Scratch) {
    precondition(DirectConvolution.isAvailable && DirectConvolution.supports(g), "direct convolution cannot compute \(g)")
    let path = DirectPath.active
    let (hp, wp) = g.directPadded(path)
    let c = Int32(g.inChannels), o = Int32(g.outChannels), kh = Int32(g.kernelHeight), kw = Int32(g.kernelWidth)
    let packed = UncheckedSendable(scratch.shared(count: Int(cnn_direct_packed_count(o, c, kh, kw))))
    cnn_direct_pack_weights(packed.value, w, o, c, kh, kw, 0)
    let buffers = UncheckedSendable(scratch.buffers(workers: Parallel.workerCount(for: g.batch), count: g.inChannels * hp * wp + path.slack))
    let xImage = g.inChannels * g.inPlane, yImage = g.outChannels * g.outPlane
    let out = UncheckedSendable(y), b = UncheckedSendable(bias)
    Parallel.forEach(g.batch) { n, worker in
        let padded = buffers.value[worker]
        cnn_direct_pad(padded, x + n * xImage, c, Int32(g.inHeight), Int32(g.inWidth),
                       Int32(g.padTop), Int32(g.padLeft), Int32(hp), Int32(wp))
        path.forward(out.value + n * yImage, padded, packed.value, b.value, c, Int32(hp), Int32(wp),
                     o, kh, kw, Int32(g.outHeight), Int32(g.outWidth))
    }
}

/// `conv2dBackward` by the direct kernels: dx overwritten (if given), dw and db accumulate (if given).
///
/// dx is the forward kernel run on dy, padded by (kernel - 1 - padding), with the kernel flipped and
/// its channels swapped; dw sums the products of dy with the padded input, several images a call.
/// - Precondition: `DirectConvolution.isAvailable` and `DirectConvolution.supports(g)`.
public func directConv2dBackward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
                                 dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                 geometry g: ConvGeometry, scratch: Scratch, partials partialScratch: Scratch) {
    precondition(DirectConvolution.isAvailable && DirectConvolution.supports(g), "direct convolution cannot compute \(g)")
    let c = Int32(g.inChannels), o = Int32(g.outChannels), kh = Int32(g.kernelHeight), kw = Int32(g.kernelWidth)
    let oh = Int32(g.outHeight), ow = Int32(g.outWidth)
    let path = DirectPath.active
    let (hp, wp) = g.directPadded(path), (ghp, gwp) = g.directPaddedGradient(path)
    let gradientStride = path.gradientStride(outWidth: g.outWidth, kernelWidth: g.kernelWidth)
    let perReduction = g.directImagesPerReduction, reductions = g.directReductionCount
    let xImage = g.inChannels * g.inPlane, yImage = g.outChannels * g.outPlane

    let packed = UncheckedSendable(dx == nil ? nil : scratch.shared(count: Int(cnn_direct_packed_count(c, o, kh, kw))))
    if let packed = packed.value { cnn_direct_pack_weights(packed, w, o, c, kh, kw, 1) }
    // Per worker: up to `imagesPerCall` padded inputs and output gradients for the weight kernel,
    // and one padded output gradient for the data kernel.
    let imagesPerCall = min(perReduction, g.directImagesPerCall(path))
    let xSize = dw != nil ? g.inChannels * hp * wp : 0
    let dySize = dw != nil ? g.outChannels * g.outHeight * gradientStride : 0
    let dxSize = dx != nil ? g.outChannels * ghp * gwp : 0
    let weightCount = g.weightCount
    let buffers = UncheckedSendable(scratch.buffers(workers: Parallel.workerCount(for: reductions),
                                                    count: imagesPerCall * (xSize + dySize) + dxSize + path.slack))
    let partials = UncheckedSendable(partialScratch.buffers(workers: 1, count: dw != nil ? reductions * weightCount : 1)[0])
    let dxPointer = UncheckedSendable(dx), computeWeights = dw != nil

    Parallel.forEach(reductions) { reduction, worker in
        let paddedX = buffers.value[worker], paddedDy = paddedX + imagesPerCall * xSize
        let paddedDx = paddedDy + imagesPerCall * dySize
        let partial = partials.value + reduction * weightCount
        if computeWeights { partial.update(repeating: 0, count: weightCount) }
        let first = reduction * perReduction, end = min(g.batch, first + perReduction)
        for n0 in stride(from: first, to: end, by: imagesPerCall) {
            let count = min(imagesPerCall, end - n0)
            if computeWeights {
                for b in 0..<count {
                    cnn_direct_pad(paddedX + b * xSize, x + (n0 + b) * xImage, c, Int32(g.inHeight), Int32(g.inWidth),
                                   Int32(g.padTop), Int32(g.padLeft), Int32(hp), Int32(wp))
                    cnn_direct_pad(paddedDy + b * dySize, dy + (n0 + b) * yImage, o, oh, ow, 0, 0, oh, Int32(gradientStride))
                }
                path.weightGradient(partial, paddedDy, paddedX, Int32(count), dySize, xSize,
                                    c, Int32(hp), Int32(wp), o, kh, kw, oh, ow)
            }
            guard let dx = dxPointer.value, let packed = packed.value else { continue }
            for n in n0..<n0 + count {
                cnn_direct_pad(paddedDx, dy + n * yImage, o, oh, ow, kh - 1 - Int32(g.padTop), kw - 1 - Int32(g.padLeft),
                               Int32(ghp), Int32(gwp))
                path.forward(dx + n * xImage, paddedDx, packed, nil, o, Int32(ghp), Int32(gwp),
                             c, kh, kw, Int32(g.inHeight), Int32(g.inWidth))
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

extension ConvGeometry {
    /// The kernels `conv2dForward` and `conv2dBackward` take for this layer on the active path:
    /// "direct avx512", "direct avx2" or "im2col+<GEMM>".
    public var kernelChoice: ConvKernelChoice {
        let gemmName = "im2col+\(GEMMBackend.current)"
        guard usesDirectKernel else { return ConvKernelChoice(forward: gemmName, backwardData: gemmName, backwardWeights: gemmName) }
        let direct = "direct \(InstructionSet.active)"
        return ConvKernelChoice(forward: direct, backwardData: directDataPassPays ? direct : gemmName,
                                backwardWeights: directWeightPassPays ? direct : gemmName)
    }
}
