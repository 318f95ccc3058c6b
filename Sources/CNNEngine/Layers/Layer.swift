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
    /// The layer's kind (`.conv2D`, `.maxPool2D`, ...): the case of the `LayerSpec` that builds it.
    var kind: LayerKind { get }
    /// The kind as summaries and messages print it: the kind's name (`Conv2D`), or a finer one
    /// (`PlainBlock` for a residual block without shortcut, `GlobalAvgPool2D`).
    var kindName: String { get }
    /// The layer's own learnable parameters (not its sublayers').
    var parameters: [Parameter] { get }
    /// Non-learned state saved with the model (batch norm running statistics).
    var buffers: [Parameter] { get }
    /// The layers inside a container, in order; empty for a plain layer.
    var sublayers: [any Layer] { get }
    /// The input shape of each of `sublayers` for one sample of shape `inputShape`, in the same order.
    /// By default each sublayer takes the output of the one before, the first the container's input.
    /// - Throws: `ShapeError` when a sublayer cannot take its input.
    func sublayerInputShapes(for inputShape: [Int]) throws -> [[Int]]
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

/// A layer met by `forEachLayer`, and where it sits.
public struct LayerVisit {
    /// The layer.
    public let layer: any Layer
    /// Its path below the walked layer, slash-separated as parameter paths read (`stage1_block1/conv1`).
    public let path: String
    /// The containers between the walked layer and it: 0 for the walked layer's own sublayers.
    public let depth: Int
    /// One sample's input shape, when the walk was given the walked layer's and every shape on the way fits.
    public let inputShape: [Int]?
}

extension Layer {
    public var kindName: String { kind.description }
    public var parameters: [Parameter] { [] }
    public var buffers: [Parameter] { [] }
    public var sublayers: [any Layer] { [] }
    public func multiplyAdds(for inputShape: [Int]) throws -> Int { 0 }
    public func initializeParameters(using generator: inout SeededGenerator) {}

    public func sublayerInputShapes(for inputShape: [Int]) throws -> [[Int]] {
        var shapes: [[Int]] = [], shape = inputShape
        for layer in sublayers {
            shapes.append(shape)
            shape = try layer.outputShape(for: shape)
        }
        return shapes
    }

    // MARK: - The walk

    /// Calls `body` for every layer inside this one, at every depth: depth first, each container before
    /// its contents, contents in `sublayers` order. The one walk over a network: parameters, modes,
    /// initialisation, summaries and searches all go through it.
    /// - Parameter inputShape: One sample's shape for this layer; each visit then carries its layer's input shape.
    public func forEachLayer(inputShape: [Int]? = nil, _ body: (LayerVisit) throws -> Void) rethrows {
        try visitSublayers(prefix: "", depth: 0, inputShape: inputShape, body)
    }

    private func visitSublayers(prefix: String, depth: Int, inputShape: [Int]?, _ body: (LayerVisit) throws -> Void) rethrows {
        let shapes = inputShape.flatMap { try? sublayerInputShapes(for: $0) }
        for (i, layer) in sublayers.enumerated() {
            let visit = LayerVisit(layer: layer, path: prefix + layer.name, depth: depth,
                                   inputShape: shapes.flatMap { i < $0.count ? $0[i] : nil })
            try body(visit)
            try layer.visitSublayers(prefix: visit.path + "/", depth: depth + 1, inputShape: visit.inputShape, body)
        }
    }

    /// The first layer inside this one, in walk order, for which `predicate` holds.
    public func firstLayer(where predicate: (any Layer) -> Bool) -> (any Layer)? {
        var found: (any Layer)?
        forEachLayer { visit in if found == nil, predicate(visit.layer) { found = visit.layer } }
        return found
    }

    /// The first layer inside this one named `name`, in walk order (residual blocks' layers included).
    public func layer(named name: String) -> (any Layer)? { firstLayer { $0.name == name } }

    /// Every parameter of this layer and its sublayers, with slash-separated paths (`stage1_block1/conv1/weight`).
    ///
    /// A container's own name is left out of the paths of its contents, so a network's
    /// parameters read `C1/weight`, `C1/bias`, ... as in the paper's layer table.
    public var namedParameters: [(path: String, parameter: Parameter)] { named { $0.parameters } }

    /// Every buffer (batch-norm running statistics) of this layer and its sublayers, with paths.
    public var namedBuffers: [(path: String, parameter: Parameter)] { named { $0.buffers } }

    private func named(_ pick: (any Layer) -> [Parameter]) -> [(path: String, parameter: Parameter)] {
        var result = pick(self).map { (path: "\(name)/\($0.name)", parameter: $0) }
        forEachLayer { visit in result += pick(visit.layer).map { (path: "\(visit.path)/\($0.name)", parameter: $0) } }
        return result
    }

    /// The number of learnable values in this layer and its sublayers.
    public var parameterCount: Int {
        var count = parameters.reduce(0) { $0 + $1.value.count }
        forEachLayer { visit in count += visit.layer.parameters.reduce(0) { $0 + $1.value.count } }
        return count
    }

    /// Sets training or evaluation mode on this layer and every sublayer.
    public func setTraining(_ training: Bool) {
        isTraining = training
        forEachLayer { $0.layer.isTraining = training }
    }

    /// Zeroes the gradients of every parameter here and in sublayers.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
        forEachLayer { visit in for parameter in visit.layer.parameters { parameter.zeroGradient() } }
    }

    /// Initialises this layer and its sublayers from a seed, in layer order.
    public func initialize(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        initializeAll(using: &generator)
    }

    /// Initialises this layer and its sublayers from a generator, in layer order.
    public func initializeAll(using generator: inout SeededGenerator) {
        initializeParameters(using: &generator)
        forEachLayer { $0.layer.initializeParameters(using: &generator) }
    }

    /// Checks that `input` is a batch of samples of `expected` shape, or throws naming this layer.
    func checkInput(_ input: Tensor, rank: Int, channels: Int? = nil, what: String) throws {
        guard input.shape.count == rank, channels == nil || input.shape[1] == channels else {
            throw ShapeError("\(kindName) \"\(name)\": expected input \(what), got \(input.shape.shapeDescription)")
        }
    }

    /// Checks that dL/dy has the shape of the last output, or throws naming this layer.
    func checkGradient(_ gradient: Tensor, matches output: Tensor) throws {
        guard gradient.shape == output.shape else {
            throw ShapeError("\(kindName) \"\(name)\": output gradient \(gradient.shape.shapeDescription) does not match output \(output.shape.shapeDescription)")
        }
    }
}
