/// A residual block (He et al. 2015): y = f(g(x) + shortcut(x)), or y = f(g(x)) for its plain twin.
///
/// Shortcuts: identity; option A (the CIFAR ResNets: subsample by the stride, zero-pad the new
/// channels, no parameters); option B/C projection (a 1x1 convolution with batch norm).
public final class Residual: Layer {
    /// How the input reaches the sum.
    public enum Shortcut {
        /// No shortcut: the block is its plain twin.
        case none
        /// x itself (same shape as g(x)).
        case identity
        /// Option A: x[:, :, ::stride, ::stride], zero channels added evenly before and after.
        case zeroPadded(stride: Int)
        /// A projection, usually 1x1 convolution with stride, then batch norm.
        case projection(Sequential)
    }

    public let name: String
    public var kind: LayerKind { .residual }
    public var kindName: String { hasShortcut ? "Residual" : "PlainBlock" }
    public let body: Sequential
    public let shortcut: Shortcut
    /// The activation after the sum (ReLU in ResNets), or nil.
    public let activation: (any Layer)?
    public var isTraining = true
    private var input: Tensor?
    private let sum = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])

    public init(_ name: String, body: Sequential, shortcut: Shortcut, activation: (any Layer)? = nil) {
        self.name = name; self.body = body; self.shortcut = shortcut; self.activation = activation
    }

    public var hasShortcut: Bool { if case .none = shortcut { return false }; return true }

    /// The body's layers (not the body itself, so paths read `block/conv1/weight`), the projection, the activation.
    public var sublayers: [any Layer] {
        var result: [any Layer] = body.layers
        if case let .projection(p) = shortcut { result.append(p) }
        if let activation { result.append(activation) }
        return result
    }

    /// The body's layers in turn from the block's input, the projection from the block's input, the activation from the body's output.
    public func sublayerInputShapes(for inputShape: [Int]) throws -> [[Int]] {
        var shapes = try body.sublayerInputShapes(for: inputShape)
        if case .projection = shortcut { shapes.append(inputShape) }
        if activation != nil { shapes.append(try body.outputShape(for: inputShape)) }
        return shapes
    }

    public var needsInputGradient: Bool {
        get { body.needsInputGradient }
        set { body.needsInputGradient = newValue; if case let .projection(p) = shortcut { p.needsInputGradient = newValue } }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let out = try body.outputShape(for: inputShape)
        let side = try shortcutShape(for: inputShape, bodyChannels: out[0])
        if let side, side != out {
            throw ShapeError("Residual \"\(name)\": body gives \(out.shapeDescription) but the shortcut gives \(side.shapeDescription)")
        }
        return out
    }

    private func shortcutShape(for inputShape: [Int], bodyChannels: Int) throws -> [Int]? {
        switch shortcut {
        case .none: return nil
        case .identity: return inputShape
        case let .zeroPadded(stride):
            return [bodyChannels] + inputShape.dropFirst().map { ($0 + stride - 1) / stride }
        case let .projection(p): return try p.outputShape(for: inputShape)
        }
    }

    public func multiplyAdds(for inputShape: [Int]) throws -> Int {
        var total = try body.multiplyAdds(for: inputShape)
        if case let .projection(p) = shortcut { total += try p.multiplyAdds(for: inputShape) }
        return total
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let out = try body.forward(input)
        sum.resize(to: out.shape)
        // The common ResNet block: y = max(0, g(x) + x) in one pass over memory instead of three.
        if case .identity = shortcut, let relu = activation as? ReLU, input.shape == out.shape {
            let dst = UncheckedSendable(sum.pointer), a = UncheckedSendable(UnsafePointer(out.pointer))
            let b = UncheckedSendable(UnsafePointer(input.pointer))
            forEachElementBlock(out.count) { r in
                vectorAddRectified(dst.value + r.lowerBound, a.value + r.lowerBound, b.value + r.lowerBound, r.count)
            }
            self.input = input
            relu.adoptRectified(sum)
            return sum
        }
        let dst = UncheckedSendable(sum.pointer), src = UncheckedSendable(UnsafePointer(out.pointer))
        forEachElementBlock(out.count) { r in (dst.value + r.lowerBound).update(from: src.value + r.lowerBound, count: r.count) }
        switch shortcut {
        case .none: break
        case .identity:
            guard input.shape == out.shape else {
                throw ShapeError("Residual \"\(name)\": identity shortcut needs body output \(out.shape.shapeDescription) to equal input \(input.shape.shapeDescription)")
            }
            addInParallel(sum, input)
        case let .zeroPadded(stride):
            try zeroPadded(input: input.shape, stride: stride, output: out.shape, x: input.pointer, y: sum.pointer, toOutput: true)
        case let .projection(p):
            let side = try p.forward(input)
            guard side.shape == out.shape else {
                throw ShapeError("Residual \"\(name)\": projection gives \(side.shape.shapeDescription), body \(out.shape.shapeDescription)")
            }
            addInParallel(sum, side)
        }
        self.input = input
        return try activation?.forward(sum) ?? sum
    }

    /// y += x, element-wise, in parallel blocks.
    private func addInParallel(_ y: Tensor, _ x: Tensor) {
        let dst = UncheckedSendable(y.pointer), src = UncheckedSendable(UnsafePointer(x.pointer))
        forEachElementBlock(y.count) { r in vectorAccumulate(dst.value + r.lowerBound, src.value + r.lowerBound, r.count) }
    }

    /// Option A's shortcut: the input subsampled by `stride` goes into the middle channels of the output,
    /// the others get nothing. Forward (`toOutput`) adds x's carried elements into y; backward adds y's
    /// (the output gradient's) into x's (the input gradient's). Image by image in parallel: each image
    /// writes only its own elements, in the same order for any thread count, so results are bit-identical.
    private func zeroPadded(input: [Int], stride: Int, output: [Int], x: UnsafeMutablePointer<Float>,
                            y: UnsafeMutablePointer<Float>, toOutput: Bool) throws {
        let n = input[0], c = input[1], h = input[2], w = input[3]
        let oc = output[1], oh = output[2], ow = output[3]
        guard oc >= c, oh == (h + stride - 1) / stride, ow == (w + stride - 1) / stride else {
            throw ShapeError("Residual \"\(name)\": option A shortcut cannot map \(input.shapeDescription) to \(output.shapeDescription)")
        }
        let front = (oc - c) / 2
        let xs = UncheckedSendable(x), ys = UncheckedSendable(y)
        Parallel.forEach(n) { b, _ in
            for ch in 0..<c {
                let xPlane = xs.value + (b * c + ch) * h * w, yPlane = ys.value + (b * oc + ch + front) * oh * ow
                for row in 0..<oh {
                    let xRow = xPlane + row * stride * w, yRow = yPlane + row * ow
                    if toOutput {
                        for col in 0..<ow { yRow[col] += xRow[col * stride] }
                    } else {
                        for col in 0..<ow { xRow[col * stride] += yRow[col] }
                    }
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let input else { throw ShapeError("Residual \"\(name)\": backward called before forward") }
        let dsum = try activation?.backward(outputGradient) ?? outputGradient
        let dbody = try body.backward(dsum)
        guard needsInputGradient else { return inputGradient }
        inputGradient.resize(to: input.shape)
        let dst = UncheckedSendable(inputGradient.pointer), src = UncheckedSendable(UnsafePointer(dbody.pointer))
        if case .identity = shortcut {
            // dx = dbody + dsum in one pass.
            let side = UncheckedSendable(UnsafePointer(dsum.pointer))
            forEachElementBlock(input.count) { r in
                vectorSum(dst.value + r.lowerBound, src.value + r.lowerBound, side.value + r.lowerBound, r.count)
            }
            return inputGradient
        }
        forEachElementBlock(input.count) { r in (dst.value + r.lowerBound).update(from: src.value + r.lowerBound, count: r.count) }
        switch shortcut {
        case .none: break
        case .identity:
            addInParallel(inputGradient, dsum)
        case let .zeroPadded(stride):
            try zeroPadded(input: input.shape, stride: stride, output: dsum.shape, x: inputGradient.pointer, y: dsum.pointer,
                           toOutput: false)
        case let .projection(p):
            let dside = try p.backward(dsum)
            addInParallel(inputGradient, dside)
        }
        return inputGradient
    }
}

extension Layer {
    /// Makes every residual block among its layers (one with a shortcut) start as the identity plus its
    /// shortcut: the scale of the last batch norm in its body is set to zero, so the body adds nothing until
    /// training moves that scale (Goyal et al. 2017, section 5.1; torchvision's `zero_init_residual`). Plain
    /// blocks, which have no shortcut, are left as they are: zeroing them would cut the signal.
    public func zeroInitializeResidualBranches() {
        forEachLayer { visit in
            guard let block = visit.layer as? Residual, block.hasShortcut,
                  let norm = block.body.layers.last(where: { $0 is BatchNormBase }) as? BatchNormBase else { return }
            norm.gamma.value.fill(0)
        }
    }

    /// Whether any of its layers, at any depth, is a residual block with a shortcut.
    public var hasResidualShortcut: Bool {
        var found = false
        forEachLayer { visit in if let block = visit.layer as? Residual, block.hasShortcut { found = true } }
        return found
    }
}
