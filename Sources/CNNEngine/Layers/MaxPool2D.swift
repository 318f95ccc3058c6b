import CKernels

/// Max pooling: each output is the largest input in its window (padding counts as -∞).
public final class MaxPool2D: Layer {
    public let name: String
    public var kind: LayerKind { .maxPool2D }
    public var kernelSize: Pair { window.kernel }
    public var stride: Pair { window.stride }
    public var padding: Pair { window.padding }
    public var ceilMode: Bool { window.ceilMode }
    public var isTraining = true
    public var needsInputGradient = true
    let window: PoolWindow
    private var inputShape: [Int] = []
    private var argmax: [Int32] = []
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])

    /// Creates a max-pooling layer; `stride` defaults to the kernel size, as in PyTorch.
    public init(_ name: String, kernelSize: Pair, stride: Pair? = nil, padding: Pair = 0, ceilMode: Bool = false) throws {
        self.name = name
        window = PoolWindow(kernel: kernelSize, stride: stride ?? kernelSize, padding: padding, ceilMode: ceilMode)
        try window.validate(layer: "MaxPool2D \"\(name)\"")
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try window.outputShape(for: inputShape, layer: "MaxPool2D \"\(name)\"")
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input, rank: 4, what: "[N, C, H, W]")
        let out = try outputShape(for: Array(input.shape.dropFirst()))
        let n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3]
        let oh = out[1], ow = out[2]
        output.resize(to: [n, c, oh, ow])
        if argmax.count != output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let win = window
        let x = UncheckedSendable(UnsafePointer(input.pointer)), y = UncheckedSendable(output.pointer)
        argmax.withUnsafeMutableBufferPointer { buffer in
            let arg = UncheckedSendable(buffer.baseAddress!)
            Parallel.forEachBlock(n * c, blockSize: planeBlock) { planes, _ in
                let first = planes.lowerBound
                if win.isTwoByTwo {
                    cnn_max_pool_2x2(y.value + first * oh * ow, arg.value + first * oh * ow, x.value + first * h * w,
                                     planes.count, Int32(h), Int32(w), Int32(oh), Int32(ow))
                } else {
                    naiveMaxPoolForward(y.value + first * oh * ow, arg.value + first * oh * ow, x.value + first * h * w,
                                        planes: planes.count, h: h, w: w, oh: oh, ow: ow,
                                        kernel: (win.kernel.height, win.kernel.width), stride: (win.stride.height, win.stride.width),
                                        padding: (win.padding.height, win.padding.width))
                }
            }
        }
        inputShape = input.shape
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try checkGradient(outputGradient, matches: output)
        inputGradient.resize(to: inputShape)
        let planeIn = inputShape[2] * inputShape[3], planeOut = output.shape[2] * output.shape[3]
        let dy = UncheckedSendable(UnsafePointer(outputGradient.pointer)), dx = UncheckedSendable(inputGradient.pointer)
        argmax.withUnsafeBufferPointer { buffer in
            let arg = UncheckedSendable(buffer.baseAddress!)
            Parallel.forEachBlock(inputShape[0] * inputShape[1], blockSize: planeBlock) { planes, _ in
                for plane in planes {
                    let d = dx.value + plane * planeIn
                    d.update(repeating: 0, count: planeIn)
                    let g = dy.value + plane * planeOut, idx = arg.value + plane * planeOut
                    for o in 0..<planeOut { d[Int(idx[o])] += g[o] }
                }
            }
        }
        return inputGradient
    }
}

/// Max pooling over `planes` planes by the window's definition: every window read element by element,
/// padding as -infinity, the first of equal values and any NaN winning (as PyTorch). The naive twin of
/// `cnn_max_pool_2x2`, and the path of every other window.
public func naiveMaxPoolForward(_ y: UnsafeMutablePointer<Float>, _ argmax: UnsafeMutablePointer<Int32>, _ x: UnsafePointer<Float>,
                                planes: Int, h: Int, w: Int, oh: Int, ow: Int,
                                kernel: (height: Int, width: Int), stride: (height: Int, width: Int),
                                padding: (height: Int, width: Int)) {
    for plane in 0..<planes {
        let src = x + plane * h * w
        let dst = y + plane * oh * ow, idx = argmax + plane * oh * ow
        for oy in 0..<oh {
            let y0 = oy * stride.height - padding.height
            let ys = max(y0, 0), ye = min(y0 + kernel.height, h)
            for ox in 0..<ow {
                let x0 = ox * stride.width - padding.width
                let xs = max(x0, 0), xe = min(x0 + kernel.width, w)
                var best = -Float.infinity, bestIndex = ys * w + xs
                for iy in ys..<ye {
                    for ix in xs..<xe where src[iy * w + ix] > best || src[iy * w + ix].isNaN {
                        best = src[iy * w + ix]
                        bestIndex = iy * w + ix
                    }
                }
                dst[oy * ow + ox] = best
                idx[oy * ow + ox] = Int32(bestIndex)
            }
        }
    }
}
