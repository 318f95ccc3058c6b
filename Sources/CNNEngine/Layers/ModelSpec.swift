/// A network as data: its zoo name, the input it expects, its classes and its layers.
public struct ModelSpec: Codable, Equatable, Sendable {
    /// The zoo name (`lenet5`, `resnet20`, ...), or a free name for imported models.
    public var name: String
    /// One sample's shape, [C, H, W].
    public var inputShape: [Int]
    /// Output classes.
    public var classes: Int
    /// The layers, in order.
    public var layers: [LayerSpec]

    public init(name: String, inputShape: [Int], classes: Int, layers: [LayerSpec]) {
        self.name = name; self.inputShape = inputShape; self.classes = classes; self.layers = layers
    }

    /// The values of every parameter and buffer, from the description alone (saturating at `Int.max`).
    public var declaredValueCount: Int { LayerSpec.sequential(name: name, layers: layers).declaredValueCount }

    /// Builds the network (parameters at zero: call `initialize(seed:)` before training).
    public func build() throws -> Sequential {
        try Sequential(name, layers.map { try $0.build() })
    }
}

