// D1: a network drawn as LeCun et al. (1998, figure 2) drew LeNet-5: stacks of feature maps labelled
// `6@28x28`, the operation written between them, computed from the model's definition. Deep nets
// group repeated layers (VGG's runs of 3x3 convolutions, ResNet's stages of blocks) so that the
// picture keeps about ten stages; residual groups carry their shortcut as an arc.

import CNNEngine
import CNNModels

/// What a stage of an architecture diagram is, which decides its glyph and colour.
public enum StageKind: String, Sendable, Equatable {
    case input, convolution, pooling, dense, residualBlocks, plainBlocks, concatBlocks, other
}

/// The shortcut of one residual block, as D1 draws it.
public enum BlockShortcut: Sendable, Equatable {
    /// x itself: a solid arc.
    case identity
    /// x subsampled by the stride, the new channels zero (option A of He et al. 2015): a dashed arc.
    case subsampled(stride: Int)
    /// A learned projection (a 1x1 convolution, with its stride): a dashed arc.
    case projection(stride: Int)

    /// Whether the shortcut changes the shape of x (and is drawn dashed).
    public var isDownsampling: Bool { self != .identity }

    /// How the legend names it: `x subsampled /2, new channels zero`, `1×1 conv /2 projection`.
    public var description: String {
        switch self {
        case .identity: "identity"
        case let .subsampled(stride): "x subsampled /\(stride), new channels zero"
        case let .projection(stride): stride == 1 ? "1×1 conv projection" : "1×1 conv /\(stride) projection"
        }
    }
}

/// One drawn stage: the tensor a layer (or a group of layers) produces, and how it was produced.
public struct ArchitectureStage: Sendable, Equatable {
    /// The layer name, or a range of names for a group (`C1`, `conv3_1–pool3`, `stage2_block1–3`).
    public var name: String
    /// The output shape of one sample: [C, H, W] or [features].
    public var shape: [Int]
    /// The operation that made it from the previous stage (`conv 5x5`, `avg pool 2x2`, `3 residual blocks`).
    public var operation: String
    /// Activations and normalisations applied after it, in order (`tanh`, `BN`, `ReLU`).
    public var details: [String]
    /// What the stage is.
    public var kind: StageKind
    /// How many layers or blocks of the same kind were grouped into it.
    public var repeats: Int
    /// The shortcut of each residual block grouped into it, in order (empty for other stages).
    public var blockShortcuts: [BlockShortcut] = []

    /// The slide's label: `6@28x28` for maps, `32x32` for a one-channel input, `120` for a vector.
    public var shapeLabel: String { ArchitectureStage.label(for: shape, isInput: kind == .input) }

    /// Whether the stage is drawn as a stack of maps (else as a vector of units).
    public var isSpatial: Bool { shape.count == 3 && (shape[1] > 1 || shape[2] > 1) }

    /// Whether a skip connection is drawn over it.
    public var hasShortcut: Bool { kind == .residualBlocks }

    /// `C@HxW`, `HxW` for a single-channel input, `C` for vectors and 1x1 maps.
    public static func label(for shape: [Int], isInput: Bool = false) -> String {
        guard shape.count == 3 else { return sizeText(shape) }
        let (c, h, w) = (shape[0], shape[1], shape[2])
        if h == 1 && w == 1 { return "\(c)" }
        if c == 1 && isInput { return "\(h)×\(w)" }
        return "\(c)@\(h)×\(w)"
    }
}

/// A network's stages, computed from its definition (layer specs and the engine's output shapes).
public struct ArchitectureDiagram: Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The stages, input first.
    public var stages: [ArchitectureStage]
    /// The number of weight layers (convolutions and dense layers, residual bodies included).
    public var weightLayers: Int

    /// Computes the stages of `spec`, grouping repeated layers until at most `maximumStages` remain where possible.
    /// - Throws: `ShapeError` or `ConfigurationError` when the spec does not build.
    public init(spec: ModelSpec, maximumStages: Int = 10) throws {
        model = spec.name
        let network = try spec.build()
        var stages = [ArchitectureStage(name: "INPUT", shape: spec.inputShape, operation: "", details: [],
                                        kind: .input, repeats: 1)]
        var shape = spec.inputShape
        for (layerSpec, layer) in zip(spec.layers, network.layers) {
            let output = try layer.outputShape(for: shape)
            defer { shape = output }
            if let detail = ArchitectureDiagram.detail(of: layerSpec, input: shape, output: output) {
                if !detail.isEmpty { stages[stages.count - 1].details.append(detail) }
                continue
            }
            stages.append(ArchitectureDiagram.stage(for: layerSpec, output: output))
        }
        stages = ArchitectureDiagram.groupingRepeats(stages)
        if stages.count > maximumStages { stages = ArchitectureDiagram.mergingPooling(into: stages) }
        self.stages = stages
        weightLayers = spec.layers.reduce(0) { $0 + ArchitectureDiagram.weightLayerCount($1) }
    }

    /// The most residual blocks drawn one by one; deeper nets draw each stage as one glyph under one arc.
    public static let mostBlocksDrawn = 12

    /// Whether each residual block is drawn with its own arc (ResNet-20's 9 blocks, ResNet-18's 8), not one per stage.
    public var drawsEachBlock: Bool {
        let residual = stages.filter(\.hasShortcut)
        return !residual.isEmpty && residual.allSatisfy { $0.blockShortcuts.count == $0.repeats }
            && residual.reduce(0) { $0 + $1.repeats } <= ArchitectureDiagram.mostBlocksDrawn
    }

    /// The kinds of shortcut drawn, in order of first appearance (identity, then the downsampling ones).
    public var shortcutKinds: [BlockShortcut] {
        var kinds: [BlockShortcut] = []
        for shortcut in stages.flatMap(\.blockShortcuts) where !kinds.contains(shortcut) { kinds.append(shortcut) }
        return kinds
    }

    // MARK: - Classifying layers

    /// A shape-preserving layer's note for the previous stage ("" to drop it), or nil for a layer that makes a stage.
    static func detail(of spec: LayerSpec, input: [Int], output: [Int]) -> String? {
        switch spec.kind.role {
        case .activation, .normalization, .regularization: return note(for: spec.kind)
        case .reshape: return ""
        case .adaptivePooling where input == output: return ""
        case .convolution, .fullyConnected, .pooling, .adaptivePooling, .container: return nil
        }
    }

    /// A shape-keeping layer as the slides write it under the maps (`BN`, `leaky ReLU`); other kinds by their names.
    static func note(for kind: LayerKind) -> String {
        switch kind {
        case .relu: "ReLU"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .leakyReLU: "leaky ReLU"
        case .batchNorm2D, .batchNorm1D: "BN"
        case .localResponseNorm: "LRN"
        case .dropout: "dropout"
        default: kind.description
        }
    }

    static func stage(for spec: LayerSpec, output: [Int]) -> ArchitectureStage {
        func make(_ operation: String, _ kind: StageKind) -> ArchitectureStage {
            ArchitectureStage(name: spec.name, shape: output, operation: operation, details: [], kind: kind, repeats: 1)
        }
        switch spec {
        case let .conv2D(conv):
            var text = "conv \(conv.kernelSize.height)×\(conv.kernelSize.width)"
            if conv.stride != 1 { text += " /\(conv.stride)" }
            if conv.dilation != 1 { text += ", dilation \(conv.dilation)" }
            if conv.groups != 1 { text += ", \(conv.groups) groups" }
            return make(text, .convolution)
        case let .maxPool2D(pool):
            return make("max pool \(pool.kernelSize.height)×\(pool.kernelSize.width)" + (pool.stride == pool.kernelSize ? "" : " /\(pool.stride)"), .pooling)
        case let .avgPool2D(pool):
            return make("avg pool \(pool.kernelSize.height)×\(pool.kernelSize.width)" + (pool.stride == pool.kernelSize ? "" : " /\(pool.stride)"), .pooling)
        case let .adaptiveAvgPool2D(pool):
            let size = pool.outputSize
            return make(size == 1 ? "global avg pool" : "avg pool to \(size.height)×\(size.width)", .pooling)
        case .dense:
            return make("fully connected", .dense)
        case let .residual(block):
            let convolutions = block.body.compactMap { layer -> String? in
                if case let .conv2D(conv) = layer { return "\(conv.kernelSize.height)×\(conv.kernelSize.width)" }
                return nil
            }
            let kind: StageKind = block.shortcut == .none ? .plainBlocks : .residualBlocks
            var stage = make(kind == .residualBlocks ? "residual block" : "plain block", kind)
            stage.details = ["conv " + convolutions.joined(separator: ", ")]
            switch block.shortcut {
            case .none: break
            case .identity: stage.blockShortcuts = [.identity]
            case let .zeroPadded(stride): stage.blockShortcuts = [.subsampled(stride: stride)]
            case let .projection(layers):
                let stride = layers.compactMap { layer -> Int? in
                    if case let .conv2D(conv) = layer { return conv.stride.height }
                    return nil
                }.first ?? 1
                stage.blockShortcuts = [.projection(stride: stride)]
            }
            return stage
        case .channelConcat:
            return make("dense layer [x, g(x)]", .concatBlocks)
        default:
            return make(spec.name, .other)
        }
    }

    /// Convolutions and dense layers, counted as the papers count depth: a residual block's body, not its projection.
    static func weightLayerCount(_ spec: LayerSpec) -> Int {
        switch spec {
        case let .residual(block): return block.body.reduce(0) { $0 + weightLayerCount($1) }
        default:
            let own = [.convolution, .fullyConnected].contains(spec.kind.role) ? 1 : 0
            return spec.children.reduce(own) { $0 + weightLayerCount($1) }
        }
    }

    // MARK: - Grouping

    /// Merges runs of the same operation with the same output shape (VGG's 3x3 convolutions, ResNet's blocks of a stage).
    ///
    /// Blocks group by output shape alone, so a stage's first, downsampling block joins the rest.
    /// Dense layers stay apart, as the papers draw them.
    static func groupingRepeats(_ stages: [ArchitectureStage]) -> [ArchitectureStage] {
        var result: [ArchitectureStage] = []
        var firstNames: [String] = []
        for stage in stages {
            if var last = result.last, last.kind == stage.kind, last.shape == stage.shape,
               [.convolution, .residualBlocks, .plainBlocks, .concatBlocks].contains(stage.kind),
               stage.kind != .convolution || last.operation == stage.operation {
                last.repeats += 1
                last.blockShortcuts += stage.blockShortcuts
                last.name = rangeName(firstNames[firstNames.count - 1], stage.name)
                last.details = stage.details
                result[result.count - 1] = last
            } else {
                result.append(stage)
                firstNames.append(stage.name)
            }
        }
        return result.map { stage in
            guard stage.repeats > 1 else { return stage }
            var grouped = stage
            switch stage.kind {
            case .residualBlocks: grouped.operation = "\(stage.repeats) residual blocks"
            case .plainBlocks: grouped.operation = "\(stage.repeats) plain blocks"
            case .concatBlocks: grouped.operation = "\(stage.repeats) dense layers"
            default: grouped.operation = "\(stage.repeats) × \(stage.operation)"
            }
            return grouped
        }
    }

    /// Folds each pooling stage into the stage before it, for nets that are still too long to draw (VGG, AlexNet).
    static func mergingPooling(into stages: [ArchitectureStage]) -> [ArchitectureStage] {
        var result: [ArchitectureStage] = []
        for stage in stages {
            if stage.kind == .pooling, var last = result.last, last.kind != .input, last.kind != .dense {
                last.operation += ",\n" + stage.operation
                last.name = rangeName(last.name.components(separatedBy: "–").first ?? last.name, stage.name)
                last.shape = stage.shape
                last.details += stage.details
                result[result.count - 1] = last
            } else {
                result.append(stage)
            }
        }
        return result
    }

    /// `stage1_block1` and `stage1_block3` give `stage1_block1–3`; names with nothing in common give `conv3_1–pool3`.
    static func rangeName(_ first: String, _ last: String) -> String {
        guard first != last else { return first }
        // The blocks of one ResNet stage (`stage1_block1` to `stage1_block3`) are that stage: "stage 1".
        let stagePart = { (name: String) in name.split(separator: "_").first.map(String.init) }
        if let a = stagePart(first), a == stagePart(last), a.hasPrefix("stage"), first.contains("_block"), last.contains("_block") {
            return "stage " + a.dropFirst("stage".count)
        }
        let common = zip(first, last).prefix { $0 == $1 }.count
        // Keep whole trailing numbers: `layer1.0`/`layer1.10` must not split inside `10`.
        var cut = common
        let a = Array(first), b = Array(last)
        while cut > 0, a[cut - 1].isNumber, cut < b.count, b[cut].isNumber || (cut < a.count && a[cut].isNumber) { cut -= 1 }
        guard cut > 0 else { return "\(first)–\(last)" }
        return first + "–" + String(b[cut...])
    }
}
