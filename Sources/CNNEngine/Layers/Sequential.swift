/// Layers applied one after another; the model zoo's networks are `Sequential`s of named layers.
public final class Sequential: Layer {
    public let name: String
    public var kind: LayerKind { .sequential }
    public private(set) var layers: [any Layer]
    public var isTraining = true

    /// Creates a container of `layers`, which must have distinct names.
    /// - Throws: `ConfigurationError` when two layers share a name.
    public init(_ name: String, _ layers: [any Layer]) throws {
        var seen = Set<String>()
        for layer in layers where !seen.insert(layer.name).inserted {
            throw ConfigurationError("Sequential \"\(name)\": two layers are named \"\(layer.name)\"")
        }
        self.name = name
        self.layers = layers
        // A batch norm or a convolution followed by a ReLU applies it itself in training (one pass over
        // memory, not three).
        for (first, second) in zip(layers, layers.dropFirst()) {
            if let source = first as? any ReLUFusing, let relu = second as? ReLU {
                source.fusedReLU = true
                relu.fusedSource = source
            }
        }
    }

    public var sublayers: [any Layer] { layers }

    /// Whether the first layer computes dL/dx: a network's input needs no gradient in training.
    public var needsInputGradient: Bool {
        get { layers.first?.needsInputGradient ?? true }
        set { layers.first?.needsInputGradient = newValue }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try layers.reduce(inputShape) { try $1.outputShape(for: $0) }
    }

    public func multiplyAdds(for inputShape: [Int]) throws -> Int {
        var shape = inputShape, total = 0
        for layer in layers {
            total += try layer.multiplyAdds(for: shape)
            shape = try layer.outputShape(for: shape)
        }
        return total
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try forward(input, observe: nil)
    }

    /// Runs the layers in order, calling `observe(layer, output)` after each (for activations and timing).
    public func forward(_ input: Tensor, observe: ((any Layer, Tensor) throws -> Void)?) throws -> Tensor {
        var x = input
        for layer in layers {
            x = try layer.forward(x)
            try observe?(layer, x)
        }
        return x
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        var g = outputGradient
        for layer in layers.reversed() { g = try layer.backward(g) }
        return g
    }
}
