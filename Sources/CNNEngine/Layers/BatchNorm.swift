// BatchNorm2D and BatchNorm1D share the kernels in Kernels/BatchNormalization.swift and this
// state; they differ in the input they accept ([N, C, H, W] or [N, C]).

/// State common to the batch-norm layers: γ, β, running statistics, and what the backward pass needs.
///
/// In training the forward pass stores only the batch mean and 1/σ (the backward pass recomputes x̂
/// from the input), and applies the ReLU that follows the layer in a `Sequential` (`fusedReLU`),
/// which then passes its input through: one pass over memory instead of three.
public class BatchNormBase: ReLUFusing {
    public let name: String
    public let features: Int
    public let momentum: Float
    public let epsilon: Float
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Parameter
    public let runningVar: Parameter
    public var isTraining = true
    public var needsInputGradient = true
    let output = Tensor(shape: [0])
    let normalized = Tensor(shape: [0])
    let inverseStd: Tensor
    let inputGradient = Tensor(shape: [0])
    let batchMean: Tensor
    var lastShape: NormShape?
    var lastWasTraining = true
    /// The input of the last training-mode forward pass, for the backward pass to recompute x̂.
    var lastInput: Tensor?
    /// Whether the ReLU after this layer is applied here (set by `Sequential`).
    public internal(set) var fusedReLU = false
    /// Whether the last forward pass applied that ReLU.
    private(set) var lastAppliedReLU = false

    init(name: String, features: Int, momentum: Float, epsilon: Float, kind: LayerKind) throws {
        guard features > 0 else { throw ConfigurationError("\(kind) \"\(name)\": features must be positive, got \(features)") }
        guard momentum >= 0, momentum <= 1, epsilon > 0 else {
            throw ConfigurationError("\(kind) \"\(name)\": momentum must be in [0, 1] and epsilon positive, got \(momentum), \(epsilon)")
        }
        self.name = name; self.features = features; self.momentum = momentum; self.epsilon = epsilon
        gamma = Parameter(name: "weight", shape: [features])
        beta = Parameter(name: "bias", shape: [features])
        runningMean = Parameter(name: "running_mean", shape: [features], decays: false)
        runningVar = Parameter(name: "running_var", shape: [features], decays: false)
        inverseStd = Tensor(shape: [features])
        batchMean = Tensor(shape: [features])
        resetParameters()
    }

    /// γ = 1, β = 0, running mean 0 and variance 1, as in PyTorch.
    func resetParameters() {
        gamma.value.fill(1); beta.value.fill(0)
        runningMean.value.fill(0); runningVar.value.fill(1)
    }

    func normForward(_ input: Tensor, shape: NormShape) -> Tensor {
        output.resize(to: input.shape)
        lastAppliedReLU = false
        lastInput = nil
        if isTraining {
            batchNormTrainingForwardFused(y: output.pointer, mean: batchMean.pointer, inverseStd: inverseStd.pointer,
                                          x: input.pointer, gamma: gamma.value.pointer, beta: beta.value.pointer,
                                          runningMean: runningMean.value.pointer, runningVar: runningVar.value.pointer,
                                          shape: shape, momentum: momentum, epsilon: epsilon, relu: fusedReLU)
            lastAppliedReLU = fusedReLU
            lastInput = input
        } else {
            normalized.resize(to: input.shape)
            batchNormInferenceForward(y: output.pointer, normalized: normalized.pointer, inverseStd: inverseStd.pointer,
                                      x: input.pointer, gamma: gamma.value.pointer, beta: beta.value.pointer,
                                      runningMean: runningMean.value.pointer, runningVar: runningVar.value.pointer,
                                      shape: shape, epsilon: epsilon)
        }
        lastShape = shape
        lastWasTraining = isTraining
        return output
    }

    /// Whether `tensor` is this layer's output with the fused ReLU already applied.
    func isRectifiedOutput(_ tensor: Tensor) -> Bool { lastAppliedReLU && tensor === output }

    func normBackward(_ outputGradient: Tensor, kind: LayerKind) throws -> Tensor {
        guard let shape = lastShape else { throw ShapeError("\(kind) \"\(name)\": backward called before forward") }
        guard outputGradient.shape == output.shape else {
            throw ShapeError("\(kind) \"\(name)\": output gradient \(outputGradient.shape.shapeDescription) does not match output \(output.shape.shapeDescription)")
        }
        if needsInputGradient { inputGradient.resize(to: output.shape) }
        if lastWasTraining, let x = lastInput {
            batchNormBackwardFused(dx: needsInputGradient ? inputGradient.pointer : nil, dgamma: gamma.gradient.pointer,
                                   dbeta: beta.gradient.pointer, dy: outputGradient.pointer, x: x.pointer, y: output.pointer,
                                   mean: batchMean.pointer, inverseStd: inverseStd.pointer, gamma: gamma.value.pointer,
                                   shape: shape, relu: lastAppliedReLU)
            return inputGradient
        }
        batchNormBackward(dx: needsInputGradient ? inputGradient.pointer : nil, dgamma: gamma.gradient.pointer,
                          dbeta: beta.gradient.pointer, dy: outputGradient.pointer, normalized: normalized.pointer,
                          inverseStd: inverseStd.pointer, gamma: gamma.value.pointer, shape: shape, training: lastWasTraining)
        return inputGradient
    }

    public var parameters: [Parameter] { [gamma, beta] }
    public var buffers: [Parameter] { [runningMean, runningVar] }
    public func initializeParameters(using generator: inout SeededGenerator) { resetParameters() }
}

/// Batch normalisation over the channels of images [N, C, H, W] (PyTorch's `BatchNorm2d`).
public final class BatchNorm2D: BatchNormBase, Layer {
    public var kind: LayerKind { .batchNorm2D }

    public init(_ name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) throws {
        try super.init(name: name, features: features, momentum: momentum, epsilon: epsilon, kind: .batchNorm2D)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3, inputShape[0] == features else {
            throw ShapeError("BatchNorm2D \"\(name)\": expected input [\(features), H, W], got \(inputShape.shapeDescription)")
        }
        return inputShape
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input, rank: 4, channels: features, what: "[N, \(features), H, W]")
        return normForward(input, shape: NormShape(batch: input.shape[0], channels: features, spatial: input.shape[2] * input.shape[3]))
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor { try normBackward(outputGradient, kind: kind) }
}

/// Batch normalisation over the features of vectors [N, C] (PyTorch's `BatchNorm1d`).
public final class BatchNorm1D: BatchNormBase, Layer {
    public var kind: LayerKind { .batchNorm1D }

    public init(_ name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) throws {
        try super.init(name: name, features: features, momentum: momentum, epsilon: epsilon, kind: .batchNorm1D)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape == [features] else {
            throw ShapeError("BatchNorm1D \"\(name)\": expected input [\(features)], got \(inputShape.shapeDescription)")
        }
        return inputShape
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input, rank: 2, channels: features, what: "[N, \(features)]")
        return normForward(input, shape: NormShape(batch: input.shape[0], channels: features, spatial: 1))
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor { try normBackward(outputGradient, kind: kind) }
}
