// LayerSpec: a network's architecture as data. The model zoo writes specs, `build()` turns
// them into layers, and model files store them as JSON, so a model can be rebuilt from its file.
//
// Each kind's configuration is a struct named after it (`Conv2DSpec`), read by field name
// (`conv.kernelSize`), never by position. `LayerKind` is the kind as a type: the switches over it
// and over `LayerSpec` here are exhaustive, so a new kind is a compile error in every place that
// must decide something about it, and all of those places are in this file
// (docs/adding-a-layer.md walks through one).
//
// A spec's JSON is `{"<kind>": {<the payload's fields>}}` (docs/model-file.md), the form Swift
// synthesised for the earlier enum of labelled associated values: it must not change
// (Tests/CNNModelsTests/Fixtures/architectures.jsonl holds the bytes).

// MARK: - The kind

/// A layer's kind: one case per `LayerSpec` case, and the `kind` every built layer reports.
///
/// The raw value is the name a model file stores (the key of the layer's JSON object, `conv2D`);
/// `description` is the name users read (`Conv2D`).
public enum LayerKind: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case conv2D, dense, relu, leakyReLU, tanh, sigmoid, flatten, dropout, maxPool2D, avgPool2D, adaptiveAvgPool2D,
         batchNorm2D, batchNorm1D, localResponseNorm, sequential, residual, channelConcat

    /// The name users read in summaries and messages, as PyTorch spells the layer (`Conv2D`, `ReLU`).
    public var description: String {
        switch self {
        case .conv2D: "Conv2D"
        case .dense: "Dense"
        case .relu: "ReLU"
        case .leakyReLU: "LeakyReLU"
        case .tanh: "Tanh"
        case .sigmoid: "Sigmoid"
        case .flatten: "Flatten"
        case .dropout: "Dropout"
        case .maxPool2D: "MaxPool2D"
        case .avgPool2D: "AvgPool2D"
        case .adaptiveAvgPool2D: "AdaptiveAvgPool2D"
        case .batchNorm2D: "BatchNorm2D"
        case .batchNorm1D: "BatchNorm1D"
        case .localResponseNorm: "LocalResponseNorm"
        case .sequential: "Sequential"
        case .residual: "Residual"
        case .channelConcat: "ChannelConcat"
        }
    }

    /// What the kind does, which decides how summaries and figures treat it.
    public var role: LayerRole {
        switch self {
        case .conv2D: .convolution
        case .dense: .fullyConnected
        case .maxPool2D, .avgPool2D: .pooling
        case .adaptiveAvgPool2D: .adaptivePooling
        case .relu, .leakyReLU, .tanh, .sigmoid: .activation
        case .batchNorm2D, .batchNorm1D, .localResponseNorm: .normalization
        case .dropout: .regularization
        case .flatten: .reshape
        case .sequential, .residual, .channelConcat: .container
        }
    }
}

/// What a layer kind does, in the terms that summaries and figures group layers by.
public enum LayerRole: Sendable, CaseIterable {
    /// Learned filters slid over maps (Conv2D).
    case convolution
    /// Learned weights on a whole vector (Dense).
    case fullyConnected
    /// A fixed window that summarises and usually shrinks maps (MaxPool2D, AvgPool2D).
    case pooling
    /// Pooling to a fixed output size whatever the input's (AdaptiveAvgPool2D).
    case adaptivePooling
    /// A function applied to each value alone (ReLU, tanh, ...).
    case activation
    /// Rescaling by statistics of the input or of training (batch norm, LRN).
    case normalization
    /// Noise in training, the identity in evaluation (Dropout).
    case regularization
    /// The same values in another shape (Flatten).
    case reshape
    /// Layers holding layers (Sequential, Residual, ChannelConcat).
    case container

    /// Whether the output has the input's shape, so a figure draws the layer as a note on the maps before it.
    public var keepsShape: Bool {
        switch self {
        case .activation, .normalization, .regularization: true
        case .convolution, .fullyConnected, .pooling, .adaptivePooling, .reshape, .container: false
        }
    }
}

// MARK: - The spec

/// The configuration of one layer kind: the payload of its `LayerSpec` case.
public protocol LayerSpecPayload: Codable, Equatable, Sendable {
    /// The kind it configures.
    static var kind: LayerKind { get }
    /// The layer's name.
    var name: String { get }
    /// The specs of the layers inside a container, as `Layer.sublayers` orders them; empty for the rest.
    var children: [LayerSpec] { get }
    /// The values of the layer's own parameters and buffers (not its children's), saturating at `Int.max`.
    var ownValueCount: Int { get }
    /// Builds the layer (parameters at zero until initialised).
    /// - Throws: `ConfigurationError` for an impossible configuration.
    func build() throws -> any Layer
}

extension LayerSpecPayload {
    public var children: [LayerSpec] { [] }
    public var ownValueCount: Int { 0 }
}

/// The shortcut of a residual block, as data.
public indirect enum ShortcutSpec: Codable, Equatable, Sendable {
    case none
    case identity
    case zeroPadded(stride: Int)
    case projection([LayerSpec])
}

/// A layer's kind and configuration, enough to build it; containers hold their children.
///
/// Write specs with the functions named after the kinds (`.conv2D(name: "C1", inChannels: 1, ...)`),
/// read them by matching the case and its payload's fields (`case let .conv2D(conv): conv.kernelSize`).
public indirect enum LayerSpec: Codable, Equatable, Sendable {
    case conv2D(Conv2DSpec)
    case dense(DenseSpec)
    case relu(ReLUSpec)
    case leakyReLU(LeakyReLUSpec)
    case tanh(TanhSpec)
    case sigmoid(SigmoidSpec)
    case flatten(FlattenSpec)
    case dropout(DropoutSpec)
    case maxPool2D(MaxPool2DSpec)
    case avgPool2D(AvgPool2DSpec)
    case adaptiveAvgPool2D(AdaptiveAvgPool2DSpec)
    case batchNorm2D(BatchNorm2DSpec)
    case batchNorm1D(BatchNorm1DSpec)
    case localResponseNorm(LocalResponseNormSpec)
    case sequential(SequentialSpec)
    case residual(ResidualSpec)
    case channelConcat(ChannelConcatSpec)

    /// The configuration the case holds.
    public var payload: any LayerSpecPayload {
        switch self {
        case let .conv2D(spec): spec
        case let .dense(spec): spec
        case let .relu(spec): spec
        case let .leakyReLU(spec): spec
        case let .tanh(spec): spec
        case let .sigmoid(spec): spec
        case let .flatten(spec): spec
        case let .dropout(spec): spec
        case let .maxPool2D(spec): spec
        case let .avgPool2D(spec): spec
        case let .adaptiveAvgPool2D(spec): spec
        case let .batchNorm2D(spec): spec
        case let .batchNorm1D(spec): spec
        case let .localResponseNorm(spec): spec
        case let .sequential(spec): spec
        case let .residual(spec): spec
        case let .channelConcat(spec): spec
        }
    }

    /// The layer's kind.
    public var kind: LayerKind { type(of: payload).kind }

    /// The layer's name.
    public var name: String { payload.name }

    /// The specs of the layers inside a container (a residual block's body, projection and activation), in order.
    public var children: [LayerSpec] { payload.children }

    /// The values of the layer's parameters and buffers, from the description alone (no allocation),
    /// saturating at `Int.max`: a model file's arrays must hold at least this many.
    public var declaredValueCount: Int { saturatingSum([payload.ownValueCount] + children.map(\.declaredValueCount)) }

    /// Builds the layer (parameters at zero until initialised).
    /// - Throws: `ConfigurationError` for an impossible configuration.
    public func build() throws -> any Layer { try payload.build() }

    // MARK: Model files

    /// The one key of a spec's JSON object: its kind's raw value.
    private struct KindKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ kind: LayerKind) { stringValue = kind.rawValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: KindKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.typeMismatch(LayerSpec.self, DecodingError.Context(
                codingPath: container.codingPath, debugDescription: "a layer is an object with one key, its kind; found \(container.allKeys.count) keys"))
        }
        guard let kind = LayerKind(rawValue: key.stringValue) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: container.codingPath + [key],
                debugDescription: "unknown layer kind \"\(key.stringValue)\"; known kinds: \(LayerKind.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        func payload<Payload: LayerSpecPayload>(_ type: Payload.Type) throws -> Payload { try container.decode(type, forKey: key) }
        switch kind {
        case .conv2D: self = .conv2D(try payload(Conv2DSpec.self))
        case .dense: self = .dense(try payload(DenseSpec.self))
        case .relu: self = .relu(try payload(ReLUSpec.self))
        case .leakyReLU: self = .leakyReLU(try payload(LeakyReLUSpec.self))
        case .tanh: self = .tanh(try payload(TanhSpec.self))
        case .sigmoid: self = .sigmoid(try payload(SigmoidSpec.self))
        case .flatten: self = .flatten(try payload(FlattenSpec.self))
        case .dropout: self = .dropout(try payload(DropoutSpec.self))
        case .maxPool2D: self = .maxPool2D(try payload(MaxPool2DSpec.self))
        case .avgPool2D: self = .avgPool2D(try payload(AvgPool2DSpec.self))
        case .adaptiveAvgPool2D: self = .adaptiveAvgPool2D(try payload(AdaptiveAvgPool2DSpec.self))
        case .batchNorm2D: self = .batchNorm2D(try payload(BatchNorm2DSpec.self))
        case .batchNorm1D: self = .batchNorm1D(try payload(BatchNorm1DSpec.self))
        case .localResponseNorm: self = .localResponseNorm(try payload(LocalResponseNormSpec.self))
        case .sequential: self = .sequential(try payload(SequentialSpec.self))
        case .residual: self = .residual(try payload(ResidualSpec.self))
        case .channelConcat: self = .channelConcat(try payload(ChannelConcatSpec.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: KindKey.self)
        try container.encode(payload, forKey: KindKey(kind))
    }
}

/// a + b + ..., saturating at `Int.max`.
private func saturatingSum(_ values: [Int]) -> Int { values.reduce(0) { $0 > Int.max - $1 ? .max : $0 + $1 } }

/// a · b · ..., negative factors counted as 0, saturating at `Int.max`.
private func saturatingProduct(_ factors: Int...) -> Int {
    factors.reduce(1) { total, factor in
        let (p, overflow) = total.multipliedReportingOverflow(by: max(factor, 0))
        return overflow ? .max : p
    }
}

// MARK: - Each kind's configuration (fields in the order model files have always stored them)

/// A `Conv2D`: weights [outChannels, inChannels / groups, kernel height, kernel width].
public struct Conv2DSpec: LayerSpecPayload {
    public static var kind: LayerKind { .conv2D }
    public var name: String
    public var inChannels: Int
    public var outChannels: Int
    public var kernelSize: Pair
    public var stride: Pair
    public var padding: Padding
    public var dilation: Pair
    public var groups: Int
    public var bias: Bool
    public var initializer: Initializer

    public init(name: String, inChannels: Int, outChannels: Int, kernelSize: Pair, stride: Pair = 1, padding: Padding = .valid,
                dilation: Pair = 1, groups: Int = 1, bias: Bool = true, initializer: Initializer = .heNormal) {
        self.name = name; self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernelSize
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups; self.bias = bias
        self.initializer = initializer
    }

    public var ownValueCount: Int {
        saturatingSum([saturatingProduct(outChannels, inChannels / max(groups, 1), kernelSize.height, kernelSize.width),
                       bias ? max(outChannels, 0) : 0])
    }

    public func build() throws -> any Layer {
        try Conv2D(name, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                   padding: padding, dilation: dilation, groups: groups, bias: bias, initializer: initializer)
    }
}

/// A `Dense` layer: weights [outFeatures, inFeatures].
public struct DenseSpec: LayerSpecPayload {
    public static var kind: LayerKind { .dense }
    public var name: String
    public var inFeatures: Int
    public var outFeatures: Int
    public var bias: Bool
    public var initializer: Initializer

    public init(name: String, inFeatures: Int, outFeatures: Int, bias: Bool = true, initializer: Initializer = .heNormal) {
        self.name = name; self.inFeatures = inFeatures; self.outFeatures = outFeatures; self.bias = bias; self.initializer = initializer
    }

    public var ownValueCount: Int { saturatingSum([saturatingProduct(inFeatures, outFeatures), bias ? max(outFeatures, 0) : 0]) }

    public func build() throws -> any Layer {
        try Dense(name, inFeatures: inFeatures, outFeatures: outFeatures, bias: bias, initializer: initializer)
    }
}

/// A `ReLU`.
public struct ReLUSpec: LayerSpecPayload {
    public static var kind: LayerKind { .relu }
    public var name: String
    public init(name: String) { self.name = name }
    public func build() throws -> any Layer { ReLU(name) }
}

/// A `LeakyReLU` with its negative slope.
public struct LeakyReLUSpec: LayerSpecPayload {
    public static var kind: LayerKind { .leakyReLU }
    public var name: String
    public var slope: Float
    public init(name: String, slope: Float) { self.name = name; self.slope = slope }
    public func build() throws -> any Layer { LeakyReLU(name, slope: slope) }
}

/// A `Tanh`.
public struct TanhSpec: LayerSpecPayload {
    public static var kind: LayerKind { .tanh }
    public var name: String
    public init(name: String) { self.name = name }
    public func build() throws -> any Layer { Tanh(name) }
}

/// A `Sigmoid`.
public struct SigmoidSpec: LayerSpecPayload {
    public static var kind: LayerKind { .sigmoid }
    public var name: String
    public init(name: String) { self.name = name }
    public func build() throws -> any Layer { Sigmoid(name) }
}

/// A `Flatten`.
public struct FlattenSpec: LayerSpecPayload {
    public static var kind: LayerKind { .flatten }
    public var name: String
    public init(name: String) { self.name = name }
    public func build() throws -> any Layer { Flatten(name) }
}

/// A `Dropout` with its drop probability.
public struct DropoutSpec: LayerSpecPayload {
    public static var kind: LayerKind { .dropout }
    public var name: String
    public var probability: Float
    public init(name: String, probability: Float) { self.name = name; self.probability = probability }
    public func build() throws -> any Layer { try Dropout(name, probability: probability) }
}

/// A `MaxPool2D`.
public struct MaxPool2DSpec: LayerSpecPayload {
    public static var kind: LayerKind { .maxPool2D }
    public var name: String
    public var kernelSize: Pair
    public var stride: Pair
    public var padding: Pair
    public var ceilMode: Bool

    public init(name: String, kernelSize: Pair, stride: Pair, padding: Pair = 0, ceilMode: Bool = false) {
        self.name = name; self.kernelSize = kernelSize; self.stride = stride; self.padding = padding; self.ceilMode = ceilMode
    }

    public func build() throws -> any Layer {
        try MaxPool2D(name, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
    }
}

/// An `AvgPool2D`.
public struct AvgPool2DSpec: LayerSpecPayload {
    public static var kind: LayerKind { .avgPool2D }
    public var name: String
    public var kernelSize: Pair
    public var stride: Pair
    public var padding: Pair
    public var ceilMode: Bool
    public var countIncludePad: Bool

    public init(name: String, kernelSize: Pair, stride: Pair, padding: Pair = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.name = name; self.kernelSize = kernelSize; self.stride = stride; self.padding = padding; self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    public func build() throws -> any Layer {
        try AvgPool2D(name, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// An `AdaptiveAvgPool2D` (global average pooling for output size 1x1).
public struct AdaptiveAvgPool2DSpec: LayerSpecPayload {
    public static var kind: LayerKind { .adaptiveAvgPool2D }
    public var name: String
    public var outputSize: Pair
    public init(name: String, outputSize: Pair) { self.name = name; self.outputSize = outputSize }
    public func build() throws -> any Layer { try AdaptiveAvgPool2D(name, outputSize: outputSize) }
}

/// A `BatchNorm2D`: γ, β and the running mean and variance, one of each per channel.
public struct BatchNorm2DSpec: LayerSpecPayload {
    public static var kind: LayerKind { .batchNorm2D }
    public var name: String
    public var features: Int
    public var momentum: Float
    public var epsilon: Float

    public init(name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.name = name; self.features = features; self.momentum = momentum; self.epsilon = epsilon
    }

    public var ownValueCount: Int { saturatingProduct(4, features) }

    public func build() throws -> any Layer { try BatchNorm2D(name, features: features, momentum: momentum, epsilon: epsilon) }
}

/// A `BatchNorm1D`: γ, β and the running mean and variance, one of each per feature.
public struct BatchNorm1DSpec: LayerSpecPayload {
    public static var kind: LayerKind { .batchNorm1D }
    public var name: String
    public var features: Int
    public var momentum: Float
    public var epsilon: Float

    public init(name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.name = name; self.features = features; self.momentum = momentum; self.epsilon = epsilon
    }

    public var ownValueCount: Int { saturatingProduct(4, features) }

    public func build() throws -> any Layer { try BatchNorm1D(name, features: features, momentum: momentum, epsilon: epsilon) }
}

/// A `LocalResponseNorm` over `size` channels: y = x / (k + α/size Σ x²)^β.
public struct LocalResponseNormSpec: LayerSpecPayload {
    public static var kind: LayerKind { .localResponseNorm }
    public var name: String
    public var size: Int
    public var alpha: Float
    public var beta: Float
    public var k: Float

    public init(name: String, size: Int, alpha: Float, beta: Float, k: Float) {
        self.name = name; self.size = size; self.alpha = alpha; self.beta = beta; self.k = k
    }

    public func build() throws -> any Layer { try LocalResponseNorm(name, size: size, alpha: alpha, beta: beta, k: k) }
}

/// A `Sequential` of layers.
public struct SequentialSpec: LayerSpecPayload {
    public static var kind: LayerKind { .sequential }
    public var name: String
    public var layers: [LayerSpec]
    public init(name: String, layers: [LayerSpec]) { self.name = name; self.layers = layers }
    public var children: [LayerSpec] { layers }
    public func build() throws -> any Layer { try Sequential(name, layers.map { try $0.build() }) }
}

/// A `Residual` block: its body g, its shortcut and the activation after the sum.
public struct ResidualSpec: LayerSpecPayload {
    public static var kind: LayerKind { .residual }
    public var name: String
    public var body: [LayerSpec]
    public var shortcut: ShortcutSpec
    public var activation: LayerSpec?

    public init(name: String, body: [LayerSpec], shortcut: ShortcutSpec, activation: LayerSpec?) {
        self.name = name; self.body = body; self.shortcut = shortcut; self.activation = activation
    }

    /// The specs of the projection's layers, empty for the other shortcuts.
    public var projection: [LayerSpec] {
        if case let .projection(layers) = shortcut { return layers }
        return []
    }

    /// The body's layers, the projection's and the activation, as `Residual.sublayers` orders them.
    public var children: [LayerSpec] { body + projection + (activation.map { [$0] } ?? []) }

    public func build() throws -> any Layer {
        let built: Residual.Shortcut
        switch shortcut {
        case .none: built = .none
        case .identity: built = .identity
        case let .zeroPadded(stride): built = .zeroPadded(stride: stride)
        case let .projection(layers): built = .projection(try Sequential("shortcut", layers.map { try $0.build() }))
        }
        return Residual(name, body: try Sequential("body", body.map { try $0.build() }), shortcut: built,
                        activation: try activation?.build())
    }
}

/// A `ChannelConcat`: y = [x, g(x)] with g its body.
public struct ChannelConcatSpec: LayerSpecPayload {
    public static var kind: LayerKind { .channelConcat }
    public var name: String
    public var body: [LayerSpec]
    public init(name: String, body: [LayerSpec]) { self.name = name; self.body = body }
    public var children: [LayerSpec] { body }
    public func build() throws -> any Layer { ChannelConcat(name, body: try Sequential("body", body.map { try $0.build() })) }
}

// MARK: - Writing specs

extension LayerSpec {
    public static func conv2D(name: String, inChannels: Int, outChannels: Int, kernelSize: Pair, stride: Pair = 1,
                              padding: Padding = .valid, dilation: Pair = 1, groups: Int = 1, bias: Bool = true,
                              initializer: Initializer = .heNormal) -> LayerSpec {
        .conv2D(Conv2DSpec(name: name, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                           padding: padding, dilation: dilation, groups: groups, bias: bias, initializer: initializer))
    }
    public static func dense(name: String, inFeatures: Int, outFeatures: Int, bias: Bool = true, initializer: Initializer = .heNormal) -> LayerSpec {
        .dense(DenseSpec(name: name, inFeatures: inFeatures, outFeatures: outFeatures, bias: bias, initializer: initializer))
    }
    public static func relu(name: String) -> LayerSpec { .relu(ReLUSpec(name: name)) }
    public static func leakyReLU(name: String, slope: Float) -> LayerSpec { .leakyReLU(LeakyReLUSpec(name: name, slope: slope)) }
    public static func tanh(name: String) -> LayerSpec { .tanh(TanhSpec(name: name)) }
    public static func sigmoid(name: String) -> LayerSpec { .sigmoid(SigmoidSpec(name: name)) }
    public static func flatten(name: String) -> LayerSpec { .flatten(FlattenSpec(name: name)) }
    public static func dropout(name: String, probability: Float) -> LayerSpec { .dropout(DropoutSpec(name: name, probability: probability)) }
    public static func maxPool2D(name: String, kernelSize: Pair, stride: Pair, padding: Pair = 0, ceilMode: Bool = false) -> LayerSpec {
        .maxPool2D(MaxPool2DSpec(name: name, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode))
    }
    public static func avgPool2D(name: String, kernelSize: Pair, stride: Pair, padding: Pair = 0, ceilMode: Bool = false,
                                 countIncludePad: Bool = true) -> LayerSpec {
        .avgPool2D(AvgPool2DSpec(name: name, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                                 countIncludePad: countIncludePad))
    }
    public static func adaptiveAvgPool2D(name: String, outputSize: Pair) -> LayerSpec {
        .adaptiveAvgPool2D(AdaptiveAvgPool2DSpec(name: name, outputSize: outputSize))
    }
    public static func batchNorm2D(name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) -> LayerSpec {
        .batchNorm2D(BatchNorm2DSpec(name: name, features: features, momentum: momentum, epsilon: epsilon))
    }
    public static func batchNorm1D(name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) -> LayerSpec {
        .batchNorm1D(BatchNorm1DSpec(name: name, features: features, momentum: momentum, epsilon: epsilon))
    }
    public static func localResponseNorm(name: String, size: Int, alpha: Float, beta: Float, k: Float) -> LayerSpec {
        .localResponseNorm(LocalResponseNormSpec(name: name, size: size, alpha: alpha, beta: beta, k: k))
    }
    public static func sequential(name: String, layers: [LayerSpec]) -> LayerSpec { .sequential(SequentialSpec(name: name, layers: layers)) }
    public static func residual(name: String, body: [LayerSpec], shortcut: ShortcutSpec, activation: LayerSpec?) -> LayerSpec {
        .residual(ResidualSpec(name: name, body: body, shortcut: shortcut, activation: activation))
    }
    public static func channelConcat(name: String, body: [LayerSpec]) -> LayerSpec { .channelConcat(ChannelConcatSpec(name: name, body: body)) }
}
