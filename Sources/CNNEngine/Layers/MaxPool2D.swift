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
                for plane in planes {
                    let src = x.value + plane * h * w
                    let dst = y.value + plane * oh * ow, idx = arg.value + plane * oh * ow
                    if win.isTwoByTwo {
                        maxPool2x2(dst, idx, src, w: w, oh: oh, ow: ow)
                        continue
                    }
                    for oy in 0..<oh {
                        let y0 = oy * win.stride.height - win.padding.height
                        let ys = max(y0, 0), ye = min(y0 + win.kernel.height, h)
                        for ox in 0..<ow {
                            let x0 = ox * win.stride.width - win.padding.width
                            let xs = max(x0, 0), xe = min(x0 + win.kernel.width, w)
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
        }
        inputShape = input.shape
        return output
    }

    /// The common 2x2, stride-2, unpadded window: four compares per output, first maximum wins as in PyTorch.
    @inline(__always)
    private func maxPool2x2(_ dst: UnsafeMutablePointer<Float>, _ idx: UnsafeMutablePointer<Int32>, _ src: UnsafePointer<Float>,
                            w: Int, oh: Int, ow: Int) {
        for oy in 0..<oh {
            let r0 = src + 2 * oy * w, r1 = r0 + w
            for ox in 0..<ow {
                // Selects, not branches (random data mispredicts them): the first of the largest, as the
                // general path, comparing the pairs (a, b) and (c, d), then their winners.
                let a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1]
                // `!(y <= x) && x == x`: y is larger, or y is NaN and x is not, so NaN wins as in PyTorch.
                let right = !(b <= a) && a == a, rightBelow = !(d <= c) && c == c
                let top = right ? b : a, topAt = right ? 1 : 0
                let bottom = rightBelow ? d : c, bottomAt = rightBelow ? w + 1 : w
                let lower = !(bottom <= top) && top == top
                dst[oy * ow + ox] = lower ? bottom : top
                idx[oy * ow + ox] = Int32(2 * oy * w + 2 * ox + (lower ? bottomAt : topAt))
            }
        }
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
