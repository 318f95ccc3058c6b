import CNNEngine

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
