/// A fully connected layer: y = x wᵀ + b, with w of shape `[outFeatures, inFeatures]` as in PyTorch's `Linear`.
///
/// In training it applies the ReLU that follows it in a `Sequential` (`fusedReLU`) to each block of rows
/// as the bias is added, and masks the gradient it receives; the ReLU passes through.
public final class Dense: Layer, ReLUFusing {
    public let name: String
    public var kind: LayerKind { .dense }
    public let inFeatures: Int
    public let outFeatures: Int
    public let initializer: Initializer
    public let weight: Parameter
    public let bias: Parameter?
    public var isTraining = true
    public var needsInputGradient = true
    /// Whether the ReLU after this layer is applied here in training (set by `Sequential`).
    public internal(set) var fusedReLU = false
    /// Whether the last forward pass applied that ReLU.
    private var lastAppliedReLU = false
    /// The gradient received, masked by the fused ReLU.
    private let rectifiedGradient = Tensor(shape: [0])

    private var input: Tensor?
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])
    // Rows of the batch and of the weight gradient are split in blocks of fixed size, so the
    // result does not depend on the thread count.
    private static let block = 16

    /// Creates a dense layer; weights start at zero until `initialize(seed:)`.
    public init(_ name: String, inFeatures: Int, outFeatures: Int, bias: Bool = true,
                initializer: Initializer = .heNormal) throws {
        guard inFeatures > 0, outFeatures > 0 else {
            throw ConfigurationError("Dense \"\(name)\": feature counts must be positive, got \(inFeatures) -> \(outFeatures)")
        }
        self.name = name
        self.inFeatures = inFeatures; self.outFeatures = outFeatures; self.initializer = initializer
        weight = Parameter(name: "weight", shape: [outFeatures, inFeatures])
        self.bias = bias ? Parameter(name: "bias", shape: [outFeatures]) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func initializeParameters(using generator: inout SeededGenerator) {
        initializer.fill(weight.value, fanIn: inFeatures, fanOut: outFeatures, using: &generator)
        if let bias { initializer.fillBias(bias.value, fanIn: inFeatures, using: &generator) }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape == [inFeatures] else {
            throw ShapeError("Dense \"\(name)\": expected input [\(inFeatures)], got \(inputShape.shapeDescription)")
        }
        return [outFeatures]
    }

    public func multiplyAdds(for inputShape: [Int]) throws -> Int { inFeatures * outFeatures }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input, rank: 2, channels: inFeatures, what: "[N, \(inFeatures)]")
        let n = input.shape[0], k = inFeatures, m = outFeatures
        output.resize(to: [n, m])
        let x = UncheckedSendable(input.pointer), y = UncheckedSendable(output.pointer)
        let w = UncheckedSendable(weight.value.pointer), b = UncheckedSendable(bias?.value.pointer)
        let relu = isTraining && fusedReLU
        Parallel.forEachBlock(n, blockSize: Self.block) { rows, _ in
            let y0 = y.value + rows.lowerBound * m
            gemm(c: y0, ldc: m, a: x.value + rows.lowerBound * k, lda: k, transposeA: false,
                 b: w.value, ldb: k, transposeB: true, m: rows.count, n: m, k: k)
            if let bias = b.value {
                for r in 0..<rows.count { for j in 0..<m { y0[r * m + j] += bias[j] } }
            }
            if relu { vectorRectify(y0, rows.count * m) }
        }
        lastAppliedReLU = relu
        self.input = input
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let input else { throw ShapeError("Dense \"\(name)\": backward called before forward") }
        try checkGradient(outputGradient, matches: output)
        let n = input.shape[0], k = inFeatures, m = outFeatures
        var gradient = outputGradient
        if lastAppliedReLU {
            rectifiedGradient.resize(to: output.shape)
            let dy = UncheckedSendable(UnsafePointer(outputGradient.pointer)), y = UncheckedSendable(UnsafePointer(output.pointer))
            let masked = UncheckedSendable(rectifiedGradient.pointer)
            forEachElementBlock(output.count) { range in
                let i = range.lowerBound
                vectorRectifiedGradient(masked.value + i, dy.value + i, y.value + i, range.count)
            }
            gradient = rectifiedGradient
        }
        let x = UncheckedSendable(input.pointer), dy = UncheckedSendable(gradient.pointer)
        let w = UncheckedSendable(weight.value.pointer), dw = UncheckedSendable(weight.gradient.pointer)
        // dW [m, k] += dYᵀ [m, n] x X [n, k], split by output rows.
        Parallel.forEachBlock(m, blockSize: Self.block) { rows, _ in
            gemm(c: dw.value + rows.lowerBound * k, ldc: k, a: dy.value + rows.lowerBound, lda: m, transposeA: true,
                 b: x.value, ldb: k, transposeB: false, m: rows.count, n: k, k: n, beta: 1)
        }
        if let bias {
            let db = UncheckedSendable(bias.gradient.pointer)
            Parallel.forEachBlock(m, blockSize: 64) { cols, _ in
                for j in cols {
                    var sum: Float = 0
                    for r in 0..<n { sum += dy.value[r * m + j] }
                    db.value[j] += sum
                }
            }
        }
        guard needsInputGradient else { return inputGradient }
        inputGradient.resize(to: input.shape)
        let dx = UncheckedSendable(inputGradient.pointer)
        // dX [n, k] = dY [n, m] x W [m, k], split by batch rows.
        Parallel.forEachBlock(n, blockSize: Self.block) { rows, _ in
            gemm(c: dx.value + rows.lowerBound * k, ldc: k, a: dy.value + rows.lowerBound * m, lda: m, transposeA: false,
                 b: w.value, ldb: k, transposeB: false, m: rows.count, n: k, k: m)
        }
        return inputGradient
    }

    func isRectifiedOutput(_ tensor: Tensor) -> Bool { lastAppliedReLU && tensor === output }
}
