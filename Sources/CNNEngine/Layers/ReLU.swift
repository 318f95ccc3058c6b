/// Rectified linear unit: y = max(0, x), with NaN passed through as PyTorch does (so a broken model
/// shows NaN outputs, never plausible numbers).
///
/// After a batch norm or a convolution in a `Sequential`, that layer applies it in training
/// (`fusedSource`); this layer then passes its input and gradient through unchanged.
public final class ReLU: ElementwiseActivation {
    public let name: String
    public var kind: LayerKind { .relu }
    public var isTraining = true
    public var needsInputGradient = true
    var input: Tensor?
    let output = Tensor(shape: [0])
    let inputGradient = Tensor(shape: [0])

    /// The layer before this one that applies it in training, if any (set by `Sequential`).
    weak var fusedSource: (any ReLUFusing)?
    private var passedThrough = false

    public init(_ name: String) { self.name = name }

    public func forward(_ input: Tensor) throws -> Tensor {
        // max(0, ·) is idempotent: passing through is exact whenever the input is already rectified.
        passedThrough = fusedSource?.isRectifiedOutput(input) ?? false
        if passedThrough { self.input = nil; return input }
        return try elementwiseForward(input)
    }

    /// Takes `rectified` (already max(0, x), computed by a `Residual` together with its sum) as this
    /// layer's input and output, for the backward pass: its mask x > 0 is the same on max(0, x).
    func adoptRectified(_ rectified: Tensor) {
        passedThrough = false
        input = rectified
        output.resize(to: rectified.shape)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        if passedThrough { return outputGradient }
        return try elementwiseBackward(outputGradient)
    }

    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        // `x <= 0` is false for NaN, so NaN is kept; the select still vectorises.
        for i in range { y[i] = x[i] <= 0 ? 0 : x[i] }
    }

    func derivative(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                    _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        // A vector select: a branch on the sign of x mispredicts half the time.
        var i = range.lowerBound
        let rx = UnsafeRawPointer(x), rdy = UnsafeRawPointer(dy), rdx = UnsafeMutableRawPointer(dx)
        while i + 8 <= range.upperBound {
            let xv = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let g = rdy.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            rdx.storeBytes(of: g.replacing(with: 0, where: xv .<= 0), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < range.upperBound { dx[i] = x[i] <= 0 ? 0 : dy[i]; i += 1 }
    }
}

/// A layer that can apply the ReLU following it in a `Sequential` itself, in training, as part of its own
/// pass over memory (forward: its output rectified; backward: the ReLU's mask applied to the gradient it
/// receives). The ReLU then passes through: it sees that its input is already rectified.
protocol ReLUFusing: AnyObject {
    /// Whether this layer applies the ReLU after it (set by `Sequential`).
    var fusedReLU: Bool { get set }
    /// Whether `tensor` is this layer's last output with the fused ReLU applied.
    func isRectifiedOutput(_ tensor: Tensor) -> Bool
}
