import CNNEngine

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

    /// Builds the network (parameters at zero: call `initialize(seed:)` before training).
    public func build() throws -> Sequential {
        try Sequential(name, layers.map { try $0.build() })
    }
}

/// Appends layers while tracking the current sample shape, so that a model reads like its paper's table.
struct LayerStack {
    private(set) var shape: [Int]
    private(set) var layers: [LayerSpec] = []

    init(input: [Int]) { shape = input }

    var channels: Int { shape[0] }

    mutating func add(_ spec: LayerSpec) throws {
        shape = try spec.build().outputShape(for: shape)
        layers.append(spec)
    }

    mutating func conv(_ name: String, _ out: Int, kernel: Pair, stride: Pair = 1, padding: Padding = .valid,
                       bias: Bool = true, initializer: Initializer = .heNormal) throws {
        try add(.conv2D(name: name, inChannels: channels, outChannels: out, kernelSize: kernel, stride: stride,
                        padding: padding, bias: bias, initializer: initializer))
    }

    mutating func dense(_ name: String, _ out: Int, initializer: Initializer = .heNormal) throws {
        try add(.dense(name: name, inFeatures: shape.reduce(1, *), outFeatures: out, initializer: initializer))
    }

    mutating func flatten(_ name: String = "flatten") throws { try add(.flatten(name: name)) }

    func model(_ name: String, classes: Int, input: [Int]) -> ModelSpec {
        ModelSpec(name: name, inputShape: input, classes: classes, layers: layers)
    }
}
