/// Average pooling: each output is the mean of its window.
///
/// With `countIncludePad` (PyTorch's default) the divisor counts padding cells inside the padded
/// input; without it, only real input cells.
public final class AvgPool2D: Layer {
    public let name: String
    public var kind: LayerKind { .avgPool2D }
    public var kernelSize: Pair { window.kernel }
    public var stride: Pair { window.stride }
    public var padding: Pair { window.padding }
    public var ceilMode: Bool { window.ceilMode }
    public let countIncludePad: Bool
    public var isTraining = true
    public var needsInputGradient = true
    let window: PoolWindow
    private var inputShape: [Int] = []
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])

    /// Creates an average-pooling layer; `stride` defaults to the kernel size, as in PyTorch.
    public init(_ name: String, kernelSize: Pair, stride: Pair? = nil, padding: Pair = 0,
                ceilMode: Bool = false, countIncludePad: Bool = true) throws {
        self.name = name
        self.countIncludePad = countIncludePad
        window = PoolWindow(kernel: kernelSize, stride: stride ?? kernelSize, padding: padding, ceilMode: ceilMode)
        try window.validate(layer: "AvgPool2D \"\(name)\"")
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try window.outputShape(for: inputShape, layer: "AvgPool2D \"\(name)\"")
    }

    /// Calls `body(ys, ye, xs, xe, divisor)` for each output cell of a plane.
    @inline(__always)
    private func eachWindow(h: Int, w: Int, oh: Int, ow: Int, _ body: (Int, Int, Int, Int, Int, Float) -> Void) {
        let win = window
        for oy in 0..<oh {
            let y0 = oy * win.stride.height - win.padding.height
            let y1 = min(y0 + win.kernel.height, h + win.padding.height)
            let ys = max(y0, 0), ye = min(y1, h)
            for ox in 0..<ow {
                let x0 = ox * win.stride.width - win.padding.width
                let x1 = min(x0 + win.kernel.width, w + win.padding.width)
                let xs = max(x0, 0), xe = min(x1, w)
                let count = countIncludePad ? (y1 - y0) * (x1 - x0) : (ye - ys) * (xe - xs)
                body(oy * ow + ox, ys, ye, xs, xe, 1 / Float(max(count, 1)))
            }
        }
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input, rank: 4, what: "[N, C, H, W]")
        let out = try outputShape(for: Array(input.shape.dropFirst()))
        let n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3]
        let oh = out[1], ow = out[2]
        output.resize(to: [n, c, oh, ow])
        let x = UncheckedSendable(UnsafePointer(input.pointer)), y = UncheckedSendable(output.pointer)
        Parallel.forEachBlock(n * c, blockSize: planeBlock) { planes, _ in
            for plane in planes {
                let src = x.value + plane * h * w, dst = y.value + plane * oh * ow
                eachWindow(h: h, w: w, oh: oh, ow: ow) { o, ys, ye, xs, xe, scale in
                    var sum: Float = 0
                    for iy in ys..<max(ys, ye) { for ix in xs..<max(xs, xe) { sum += src[iy * w + ix] } }
                    dst[o] = sum * scale
                }
            }
        }
        inputShape = input.shape
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try checkGradient(outputGradient, matches: output)
        inputGradient.resize(to: inputShape)
        let h = inputShape[2], w = inputShape[3], oh = output.shape[2], ow = output.shape[3]
        let dy = UncheckedSendable(UnsafePointer(outputGradient.pointer)), dx = UncheckedSendable(inputGradient.pointer)
        Parallel.forEachBlock(inputShape[0] * inputShape[1], blockSize: planeBlock) { planes, _ in
            for plane in planes {
                let d = dx.value + plane * h * w, g = dy.value + plane * oh * ow
                d.update(repeating: 0, count: h * w)
                eachWindow(h: h, w: w, oh: oh, ow: ow) { o, ys, ye, xs, xe, scale in
                    let v = g[o] * scale
                    for iy in ys..<max(ys, ye) { for ix in xs..<max(xs, xe) { d[iy * w + ix] += v } }
                }
            }
        }
        return inputGradient
    }
}
