// The Layer protocol: forward keeps what backward needs; backward returns dL/dx and adds
// into each parameter's gradient.

/// A learnable array with its gradient, which `backward` adds into and the optimizer reads.
public final class Parameter: @unchecked Sendable {
    /// The parameter's name inside its layer (`weight`, `bias`, `running_mean`, ...).
    public let name: String
    /// The current values.
    public let value: Tensor
    /// dL/dvalue, accumulated by `backward` until `zeroGradient()`.
    public let gradient: Tensor
    /// Whether weight decay applies (PyTorch applies it to every parameter by default).
    public var decays: Bool

    public init(name: String, shape: [Int], decays: Bool = true) {
        self.name = name
        self.value = Tensor(shape: shape)
        self.gradient = Tensor(shape: shape)
        self.decays = decays
    }

    /// Sets the gradient to zero.
    public func zeroGradient() { gradient.fill(0) }
}

/// A network layer: a function of its input and parameters, with its gradient.
///
/// `forward` returns a tensor the layer owns and overwrites on its next call; `backward`
/// takes dL/dy for the last forward's output, adds dL/dθ into each parameter's gradient
/// and returns dL/dx (also owned by the layer).
public protocol Layer: AnyObject {
    /// The layer's name, as in the paper (`C1`, `S2`, `conv1`, ...).
    var name: String { get }
    /// The layer's kind, as users know it (`Conv2D`, `MaxPool2D`, ...).
    var kind: String { get }
    /// The layer's own learnable parameters (not its sublayers').
    var parameters: [Parameter] { get }
    /// Non-learned state saved with the model (batch norm running statistics).
    var buffers: [Parameter] { get }
    /// The layers inside a container, in order; empty for a plain layer.
    var sublayers: [any Layer] { get }
    /// Training mode (batch statistics, dropout) or evaluation mode.
    var isTraining: Bool { get set }
    /// Whether `backward` must compute dL/dx; the first layer of a network need not.
    var needsInputGradient: Bool { get set }

    /// The output shape for one sample of shape `inputShape` (no batch dimension).
    /// - Throws: `ShapeError` when the layer cannot take that input.
    func outputShape(for inputShape: [Int]) throws -> [Int]
    /// Multiply-adds of one sample's forward pass (convolutions and dense layers; 0 for the rest).
    func multiplyAdds(for inputShape: [Int]) throws -> Int
    /// Computes the output for a batch, keeping what `backward` needs.
    func forward(_ input: Tensor) throws -> Tensor
    /// Computes dL/dx from dL/dy and adds into each parameter's gradient.
    func backward(_ outputGradient: Tensor) throws -> Tensor
    /// Draws the initial parameter values from `generator`.
    func initializeParameters(using generator: inout SeededGenerator)
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [Parameter] { [] }
    public var sublayers: [any Layer] { [] }
    public func multiplyAdds(for inputShape: [Int]) throws -> Int { 0 }
    public func initializeParameters(using generator: inout SeededGenerator) {}

    /// Every parameter of this layer and its sublayers, with slash-separated paths (`stage1_block1/conv1/weight`).
    ///
    /// A container's own name is left out of the paths of its contents, so a network's
    /// parameters read `C1/weight`, `C1/bias`, ... as in the paper's layer table.
    public var namedParameters: [(path: String, parameter: Parameter)] { collectRoot { $0.parameters } }

    /// Every buffer (batch-norm running statistics) of this layer and its sublayers, with paths.
    public var namedBuffers: [(path: String, parameter: Parameter)] { collectRoot { $0.buffers } }

    private func collectRoot(_ pick: (any Layer) -> [Parameter]) -> [(path: String, parameter: Parameter)] {
        pick(self).map { (path: "\(name)/\($0.name)", parameter: $0) } + sublayers.flatMap { $0.collect(prefix: "", pick) }
    }

    fileprivate func collect(prefix: String, _ pick: (any Layer) -> [Parameter]) -> [(path: String, parameter: Parameter)] {
        let here = prefix + name + "/"
        return pick(self).map { (path: here + $0.name, parameter: $0) } + sublayers.flatMap { $0.collect(prefix: here, pick) }
    }

    /// The number of learnable values in this layer and its sublayers.
    public var parameterCount: Int {
        parameters.reduce(0) { $0 + $1.value.count } + sublayers.reduce(0) { $0 + $1.parameterCount }
    }

    /// Sets training or evaluation mode on this layer and every sublayer.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for layer in sublayers { layer.setTraining(training) }
    }

    /// Zeroes the gradients of every parameter here and in sublayers.
    public func zeroGradients() {
        for p in parameters { p.zeroGradient() }
        for layer in sublayers { layer.zeroGradients() }
    }

    /// Initialises this layer and its sublayers from a seed, in layer order.
    public func initialize(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        initializeAll(using: &generator)
    }

    /// Initialises this layer and its sublayers from a generator, in layer order.
    public func initializeAll(using generator: inout SeededGenerator) {
        initializeParameters(using: &generator)
        for layer in sublayers { layer.initializeAll(using: &generator) }
    }

    /// Checks that `input` is a batch of samples of `expected` shape, or throws naming this layer.
    func checkInput(_ input: Tensor, rank: Int, channels: Int? = nil, what: String) throws {
        guard input.shape.count == rank, channels == nil || input.shape[1] == channels else {
            throw ShapeError("\(kind) \"\(name)\": expected input \(what), got \(input.shape.shapeDescription)")
        }
    }

    /// Checks that dL/dy has the shape of the last output, or throws naming this layer.
    func checkGradient(_ gradient: Tensor, matches output: Tensor) throws {
        guard gradient.shape == output.shape else {
            throw ShapeError("\(kind) \"\(name)\": output gradient \(gradient.shape.shapeDescription) does not match output \(output.shape.shapeDescription)")
        }
    }
}
