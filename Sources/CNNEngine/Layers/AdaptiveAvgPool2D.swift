/// Adaptive average pooling to a fixed output size (PyTorch's `AdaptiveAvgPool2d`);
/// output size 1x1 is global average pooling.
///
/// Output cell i covers input rows floor(i·H/oh) ..< ceil((i+1)·H/oh), likewise for columns.
public final class AdaptiveAvgPool2D: Layer {
    public let name: String
    public var kind: LayerKind { .adaptiveAvgPool2D }
    public var kindName: String { outputSize == Pair(1, 1) ? "GlobalAvgPool2D" : "AdaptiveAvgPool2D" }
    public let outputSize: Pair
    public var isTraining = true
    public var needsInputGradient = true
    private var inputShape: [Int] = []
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])

    public init(_ name: String, outputSize: Pair) throws {
        guard outputSize.height > 0, outputSize.width > 0 else {
            throw ConfigurationError("AdaptiveAvgPool2D \"\(name)\": output size must be positive, got \(outputSize)")
        }
        self.name = name
        self.outputSize = outputSize
    }

    /// Global average pooling: every channel's mean, shape [N, C, 1, 1].
    public static func global(_ name: String = "avgpool") -> AdaptiveAvgPool2D {
        try! AdaptiveAvgPool2D(name, outputSize: 1)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw ShapeError("\(kindName) \"\(name)\": expected input [C, H, W], got \(inputShape.shapeDescription)")
        }
        return [inputShape[0], outputSize.height, outputSize.width]
    }

    @inline(__always)
    private func eachCell(h: Int, w: Int, _ body: (Int, Int, Int, Int, Int, Float) -> Void) {
        let oh = outputSize.height, ow = outputSize.width
        for oy in 0..<oh {
            let ys = oy * h / oh, ye = ((oy + 1) * h + oh - 1) / oh
            for ox in 0..<ow {
                let xs = ox * w / ow, xe = ((ox + 1) * w + ow - 1) / ow
                body(oy * ow + ox, ys, ye, xs, xe, 1 / Float((ye - ys) * (xe - xs)))
            }
        }
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input, rank: 4, what: "[N, C, H, W]")
        let n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3]
        let planeOut = outputSize.height * outputSize.width
        output.resize(to: [n, c, outputSize.height, outputSize.width])
        let x = UncheckedSendable(UnsafePointer(input.pointer)), y = UncheckedSendable(output.pointer)
        Parallel.forEachBlock(n * c, blockSize: 64) { planes, _ in
            for plane in planes {
                let src = x.value + plane * h * w, dst = y.value + plane * planeOut
                eachCell(h: h, w: w) { o, ys, ye, xs, xe, scale in
                    var sum: Float = 0
                    for iy in ys..<ye { sum += vectorSum(src + iy * w + xs, xe - xs) }
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
        let h = inputShape[2], w = inputShape[3], planeOut = outputSize.height * outputSize.width
        let dy = UncheckedSendable(UnsafePointer(outputGradient.pointer)), dx = UncheckedSendable(inputGradient.pointer)
        Parallel.forEachBlock(inputShape[0] * inputShape[1], blockSize: 64) { planes, _ in
            for plane in planes {
                let d = dx.value + plane * h * w, g = dy.value + plane * planeOut
                d.update(repeating: 0, count: h * w)
                eachCell(h: h, w: w) { o, ys, ye, xs, xe, scale in
                    let v = g[o] * scale
                    for iy in ys..<ye { for ix in xs..<xe { d[iy * w + ix] += v } }
                }
            }
        }
        return inputGradient
    }
}
