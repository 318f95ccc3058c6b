// LayerSpec: a network's architecture as data. The model zoo writes specs, `build()` turns
// them into layers, and model files store them as JSON, so a model can be rebuilt from its file.

/// The shortcut of a residual block, as data.
public indirect enum ShortcutSpec: Codable, Equatable, Sendable {
    case none
    case identity
    case zeroPadded(stride: Int)
    case projection([LayerSpec])
}

/// A layer's kind and configuration, enough to build it; containers hold their children.
public indirect enum LayerSpec: Codable, Equatable, Sendable {
    case conv2D(name: String, inChannels: Int, outChannels: Int, kernelSize: Pair, stride: Pair = 1,
                padding: Padding = .valid, dilation: Pair = 1, groups: Int = 1, bias: Bool = true,
                initializer: Initializer = .heNormal)
    case dense(name: String, inFeatures: Int, outFeatures: Int, bias: Bool = true, initializer: Initializer = .heNormal)
    case relu(name: String)
    case leakyReLU(name: String, slope: Float)
    case tanh(name: String)
    case sigmoid(name: String)
    case flatten(name: String)
    case dropout(name: String, probability: Float)
    case maxPool2D(name: String, kernelSize: Pair, stride: Pair, padding: Pair = 0, ceilMode: Bool = false)
    case avgPool2D(name: String, kernelSize: Pair, stride: Pair, padding: Pair = 0, ceilMode: Bool = false, countIncludePad: Bool = true)
    case adaptiveAvgPool2D(name: String, outputSize: Pair)
    case batchNorm2D(name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5)
    case batchNorm1D(name: String, features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5)
    case localResponseNorm(name: String, size: Int, alpha: Float, beta: Float, k: Float)
    case sequential(name: String, layers: [LayerSpec])
    case residual(name: String, body: [LayerSpec], shortcut: ShortcutSpec, activation: LayerSpec?)
    case channelConcat(name: String, body: [LayerSpec])

    /// The layer's name.
    public var name: String {
        switch self {
        case let .conv2D(name, _, _, _, _, _, _, _, _, _), let .dense(name, _, _, _, _), let .relu(name),
             let .leakyReLU(name, _), let .tanh(name), let .sigmoid(name), let .flatten(name), let .dropout(name, _),
             let .maxPool2D(name, _, _, _, _), let .avgPool2D(name, _, _, _, _, _), let .adaptiveAvgPool2D(name, _),
             let .batchNorm2D(name, _, _, _), let .batchNorm1D(name, _, _, _), let .localResponseNorm(name, _, _, _, _),
             let .sequential(name, _), let .residual(name, _, _, _), let .channelConcat(name, _):
            return name
        }
    }

    /// The values of the layer's parameters and buffers, from the description alone (no allocation),
    /// saturating at `Int.max`: a model file's arrays must hold at least this many.
    public var declaredValueCount: Int {
        func product(_ factors: Int...) -> Int {
            factors.reduce(1) { total, factor in
                let (p, overflow) = total.multipliedReportingOverflow(by: max(factor, 0))
                return overflow ? .max : p
            }
        }
        func sum(_ values: [Int]) -> Int { values.reduce(0) { $0 > Int.max - $1 ? .max : $0 + $1 } }
        switch self {
        case let .conv2D(_, inC, outC, kernel, _, _, _, groups, bias, _):
            return sum([product(outC, inC / max(groups, 1), kernel.height, kernel.width), bias ? max(outC, 0) : 0])
        case let .dense(_, inF, outF, bias, _): return sum([product(inF, outF), bias ? max(outF, 0) : 0])
        case let .batchNorm2D(_, features, _, _), let .batchNorm1D(_, features, _, _): return product(4, features)
        case let .sequential(_, layers), let .channelConcat(_, layers): return sum(layers.map(\.declaredValueCount))
        case let .residual(_, body, shortcut, activation):
            var counts = body.map(\.declaredValueCount) + [activation?.declaredValueCount ?? 0]
            if case let .projection(layers) = shortcut { counts += layers.map(\.declaredValueCount) }
            return sum(counts)
        default: return 0
        }
    }

    /// Builds the layer (parameters at zero until initialised).
    /// - Throws: `ConfigurationError` for an impossible configuration.
    public func build() throws -> any Layer {
        switch self {
        case let .conv2D(name, inC, outC, kernel, stride, padding, dilation, groups, bias, initializer):
            return try Conv2D(name, inChannels: inC, outChannels: outC, kernelSize: kernel, stride: stride,
                              padding: padding, dilation: dilation, groups: groups, bias: bias, initializer: initializer)
        case let .dense(name, inF, outF, bias, initializer):
            return try Dense(name, inFeatures: inF, outFeatures: outF, bias: bias, initializer: initializer)
        case let .relu(name): return ReLU(name)
        case let .leakyReLU(name, slope): return LeakyReLU(name, slope: slope)
        case let .tanh(name): return Tanh(name)
        case let .sigmoid(name): return Sigmoid(name)
        case let .flatten(name): return Flatten(name)
        case let .dropout(name, p): return try Dropout(name, probability: p)
        case let .maxPool2D(name, kernel, stride, padding, ceil):
            return try MaxPool2D(name, kernelSize: kernel, stride: stride, padding: padding, ceilMode: ceil)
        case let .avgPool2D(name, kernel, stride, padding, ceil, include):
            return try AvgPool2D(name, kernelSize: kernel, stride: stride, padding: padding, ceilMode: ceil, countIncludePad: include)
        case let .adaptiveAvgPool2D(name, size): return try AdaptiveAvgPool2D(name, outputSize: size)
        case let .batchNorm2D(name, features, momentum, epsilon):
            return try BatchNorm2D(name, features: features, momentum: momentum, epsilon: epsilon)
        case let .batchNorm1D(name, features, momentum, epsilon):
            return try BatchNorm1D(name, features: features, momentum: momentum, epsilon: epsilon)
        case let .localResponseNorm(name, size, alpha, beta, k):
            return try LocalResponseNorm(name, size: size, alpha: alpha, beta: beta, k: k)
        case let .sequential(name, layers):
            return try Sequential(name, layers.map { try $0.build() })
        case let .residual(name, body, shortcut, activation):
            let built: Residual.Shortcut
            switch shortcut {
            case .none: built = .none
            case .identity: built = .identity
            case let .zeroPadded(stride): built = .zeroPadded(stride: stride)
            case let .projection(layers): built = .projection(try Sequential("shortcut", layers.map { try $0.build() }))
            }
            return Residual(name, body: try Sequential("body", body.map { try $0.build() }), shortcut: built,
                            activation: try activation?.build())
        case let .channelConcat(name, body):
            return ChannelConcat(name, body: try Sequential("body", body.map { try $0.build() }))
        }
    }
}
