/// A 2-D convolution (cross-correlation, as PyTorch's `Conv2d`): y = w ⋆ x + b.
///
/// Weights are `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`, as in PyTorch.
///
/// In training it applies the ReLU that follows it in a `Sequential` (`fusedReLU`): each chunk of its
/// output is rectified while in cache, and the backward pass masks the gradient it receives and sums the
/// bias gradient in one pass; the ReLU passes through.
public final class Conv2D: Layer, ReLUFusing {
    public let name: String
    public var kind: LayerKind { .conv2D }
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Pair
    public let stride: Pair
    public let padding: Padding
    public let dilation: Pair
    public let groups: Int
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
    private var geometry: ConvGeometry?
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])
    private let scratch = Scratch()
    private let partials = Scratch()
    /// The forward pass's column matrices, kept for the weight gradient when they are small.
    private let keptColumns = Tensor(shape: [0])
    private var columnsKept = false
    /// Largest column store kept between forward and backward, in floats (32 MB).
    static let keptColumnBudget = 8 << 20

    /// Creates a convolution; weights start at zero until `initialize(seed:)`.
    /// - Throws: `ConfigurationError` when sizes are not positive or `groups` does not divide both channel counts.
    public init(_ name: String, inChannels: Int, outChannels: Int, kernelSize: Pair, stride: Pair = 1,
                padding: Padding = .valid, dilation: Pair = 1, groups: Int = 1, bias: Bool = true,
                initializer: Initializer = .heNormal) throws {
        guard inChannels > 0, outChannels > 0, groups > 0 else {
            throw ConfigurationError("Conv2D \"\(name)\": channels and groups must be positive, got \(inChannels) -> \(outChannels), groups \(groups)")
        }
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw ConfigurationError("Conv2D \"\(name)\": groups \(groups) must divide both inChannels \(inChannels) and outChannels \(outChannels)")
        }
        guard min(kernelSize.height, kernelSize.width, stride.height, stride.width, dilation.height, dilation.width) > 0 else {
            throw ConfigurationError("Conv2D \"\(name)\": kernel size, stride and dilation must be positive, got kernel \(kernelSize), stride \(stride), dilation \(dilation)")
        }
        guard !padding.isNegative else { throw ConfigurationError("Conv2D \"\(name)\": padding \(padding) is negative") }
        self.name = name
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding
        self.dilation = dilation; self.groups = groups; self.initializer = initializer
        weight = Parameter(name: "weight", shape: [outChannels, inChannels / groups, kernelSize.height, kernelSize.width])
        self.bias = bias ? Parameter(name: "bias", shape: [outChannels]) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func initializeParameters(using generator: inout SeededGenerator) {
        let receptive = kernelSize.height * kernelSize.width
        let fanIn = inChannels / groups * receptive
        initializer.fill(weight.value, fanIn: fanIn, fanOut: outChannels * receptive, using: &generator)
        if let bias { initializer.fillBias(bias.value, fanIn: fanIn, using: &generator) }
    }

    /// The convolution's sizes for a batch of `batch` images of `height` x `width`.
    public func geometry(batch: Int, height: Int, width: Int) throws -> ConvGeometry {
        let pad = padding.resolve(height: height, width: width, kernel: kernelSize, stride: stride, dilation: dilation)
        let g = ConvGeometry(batch: batch, inChannels: inChannels, inHeight: height, inWidth: width, outChannels: outChannels,
                             kernelHeight: kernelSize.height, kernelWidth: kernelSize.width,
                             strideY: stride.height, strideX: stride.width,
                             padTop: pad.top, padBottom: pad.bottom, padLeft: pad.left, padRight: pad.right,
                             dilationY: dilation.height, dilationX: dilation.width, groups: groups)
        guard g.outHeight >= 1, g.outWidth >= 1 else {
            throw ShapeError("Conv2D \"\(name)\": input \(height)x\(width) is smaller than the kernel \(kernelSize) (dilation \(dilation), padding \(padding))")
        }
        return g
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3, inputShape[0] == inChannels else {
            throw ShapeError("Conv2D \"\(name)\": expected input [\(inChannels), H, W], got \(inputShape.shapeDescription)")
        }
        let g = try geometry(batch: 1, height: inputShape[1], width: inputShape[2])
        return [outChannels, g.outHeight, g.outWidth]
    }

    public func multiplyAdds(for inputShape: [Int]) throws -> Int {
        _ = try outputShape(for: inputShape)
        return try geometry(batch: 1, height: inputShape[1], width: inputShape[2]).multiplyAdds
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input, rank: 4, channels: inChannels, what: "[N, \(inChannels), H, W]")
        let g = try geometry(batch: input.shape[0], height: input.shape[2], width: input.shape[3])
        output.resize(to: [g.batch, outChannels, g.outHeight, g.outWidth])
        // In training, keep the column matrices of im2col's forward pass for im2col's weight gradient, when
        // they fit the budget (a pointwise convolution reads its input as its columns).
        columnsKept = isTraining && !g.isPointwise && g.forwardKernel == .im2col && g.weightKernel == .im2col
            && g.keptColumnCount <= Self.keptColumnBudget
        if columnsKept { keptColumns.resize(to: [g.keptColumnCount]) }
        lastAppliedReLU = isTraining && fusedReLU
        conv2dForward(y: output.pointer, x: input.pointer, w: weight.value.pointer, bias: bias?.value.pointer,
                      geometry: g, scratch: scratch, keptColumns: columnsKept ? keptColumns.pointer : nil,
                      relu: lastAppliedReLU)
        self.input = input
        self.geometry = g
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let input, let geometry else { throw ShapeError("Conv2D \"\(name)\": backward called before forward") }
        try checkGradient(outputGradient, matches: output)
        if needsInputGradient { inputGradient.resize(to: input.shape) }
        var dy = UnsafePointer(outputGradient.pointer), db = bias?.gradient.pointer
        if lastAppliedReLU {
            rectifiedGradient.resize(to: output.shape)
            rectifyGradient(rectifiedGradient.pointer, dy: dy, y: output.pointer, db: db, geometry: geometry)
            dy = UnsafePointer(rectifiedGradient.pointer)
            db = nil
        }
        conv2dBackward(dx: needsInputGradient ? inputGradient.pointer : nil, dw: weight.gradient.pointer,
                       db: db, dy: dy, x: input.pointer,
                       w: weight.value.pointer, geometry: geometry, scratch: scratch, partials: partials,
                       keptColumns: columnsKept ? UnsafePointer(keptColumns.pointer) : nil)
        return inputGradient
    }

    func isRectifiedOutput(_ tensor: Tensor) -> Bool { lastAppliedReLU && tensor === output }
}
