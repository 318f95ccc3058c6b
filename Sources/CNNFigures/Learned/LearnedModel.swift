// What the "what networks learn" figures (C1-C5) share: a trained model's layers by name, running one input
// (prepared by CNNRuns as the model saw its training data) and keeping the feature maps of every convolution
// and pooling layer, and the receptive field of a layer's units.
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation

/// A user-reachable mistake in a figure's input: a file, layer, channel or image that does not fit.
public struct LearnedFigureError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension TrainedModel {
    /// The top-level layer named `name`.
    /// - Throws: `LearnedFigureError` listing the layers that would do.
    public func layer(named name: String, kinds: Set<LayerKind>, what: String) throws -> any Layer {
        let candidates = network.layers.filter { kinds.contains($0.kind) }
        if let found = candidates.first(where: { $0.name == name }) { return found }
        throw LearnedFigureError("\(path): no \(what) named \"\(name)\"; \(contents.model) has \(candidates.map(\.name).joined(separator: ", "))")
    }
}

/// The layer kinds whose outputs are feature maps worth drawing (convolutions, pooling, blocks).
let featureMapKinds = Set(LayerKind.allCases.filter { kind in
    switch kind.role {
    case .convolution, .pooling, .container: true
    case .fullyConnected, .adaptivePooling, .activation, .normalization, .regularization, .reshape: false
    }
})
/// Layers folded into the feature maps of the layer before them (a map is drawn after its nonlinearity).
let foldedKinds = Set(LayerKind.allCases.filter(\.role.keepsShape))

// MARK: - Feature maps

/// The output of one layer for one input: C maps of H x W.
public struct FeatureMapStack: Sendable, Equatable {
    /// The layer's name (`C1`), or "input".
    public var layer: String
    /// The layer's kind (`Conv2D`, `MaxPool2D`, ...).
    public var kind: String
    /// The layers folded in after it (`relu1`), whose output this is.
    public var foldedLayers: [String]
    /// [C, H, W].
    public var shape: [Int]
    /// C x H x W values, channels-first.
    public var values: [Float]

    public var channels: Int { shape[0] }
    public var height: Int { shape[1] }
    public var width: Int { shape[2] }

    /// Channel `c`'s map, H x W values.
    public func channel(_ c: Int) -> [Float] {
        let plane = height * width
        return Array(values[c * plane..<(c + 1) * plane])
    }

    /// As the lectures label a layer: "C1 6@28×28".
    public var label: String { "\(layer) \(channels)@\(height)×\(width)" }
}

/// Runs one input [1, C, H, W] through `model` and keeps the output of every convolution, pooling layer
/// and block, each after the activation (and batch norm) that follows it, in layer order; and the network's output.
public func featureMaps(of model: TrainedModel, input: Tensor) throws -> (stacks: [FeatureMapStack], output: [Float]) {
    var stacks: [FeatureMapStack] = []
    var open = false
    let output = try model.network.forward(input) { layer, output in
        guard output.shape.count == 4 else { open = false; return }
        let shape = Array(output.shape.dropFirst())
        if featureMapKinds.contains(layer.kind) {
            stacks.append(FeatureMapStack(layer: layer.name, kind: layer.kindName, foldedLayers: [], shape: shape, values: output.values))
            open = true
        } else if open, foldedKinds.contains(layer.kind), shape == stacks[stacks.count - 1].shape {
            stacks[stacks.count - 1].values = output.values
            stacks[stacks.count - 1].foldedLayers.append(layer.name)
        } else {
            open = false
        }
    }
    return (stacks, output.values)
}

// MARK: - Receptive fields

/// Which input pixels a unit of a layer sees, along one axis: unit i sees `start + i * jump ..< + size`.
public struct ReceptiveField: Sendable, Equatable {
    /// The extent of one unit's field, in input pixels (height, width).
    public var size: Pair
    /// Input pixels between neighbouring units (the product of the strides).
    public var jump: Pair
    /// The first input row and column seen by unit (0, 0); negative where the field starts in the padding.
    public var start: Pair

    public init(size: Pair, jump: Pair, start: Pair) {
        self.size = size; self.jump = jump; self.start = start
    }

    /// One input pixel.
    public static let pixel = ReceptiveField(size: 1, jump: 1, start: 0)

    /// The input rows and columns seen by unit (`y`, `x`) (possibly reaching outside the image).
    public func window(y: Int, x: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let top = start.height + y * jump.height, left = start.width + x * jump.width
        return (top..<(top + size.height), left..<(left + size.width))
    }

    /// The field after a window of `kernel` (dilated by `dilation`), `stride`, padding (top, left) before it:
    /// size += (k_eff - 1) * jump, start -= padding * jump, jump *= stride.
    func through(kernel: Pair, stride: Pair, dilation: Pair = 1, padTop: Int, padLeft: Int) -> ReceptiveField {
        ReceptiveField(
            size: Pair(size.height + dilation.height * (kernel.height - 1) * jump.height,
                       size.width + dilation.width * (kernel.width - 1) * jump.width),
            jump: Pair(jump.height * stride.height, jump.width * stride.width),
            start: Pair(start.height - padTop * jump.height, start.width - padLeft * jump.width))
    }

    /// The receptive field of the units of top-level layer `name` of `model` (after the layers before it).
    /// - Throws: `LearnedFigureError` for an unknown layer or one whose field is not a window (global pooling, dense).
    public static func of(layer name: String, in model: TrainedModel) throws -> ReceptiveField {
        var field = ReceptiveField.pixel
        var shape = model.inputShape
        for layer in model.network.layers {
            field = try field.through(layer, inputShape: shape, file: model.path)
            shape = try layer.outputShape(for: shape)
            if layer.name == name { return field }
        }
        throw LearnedFigureError("\(model.path): no layer named \"\(name)\"")
    }

    /// The field after `layer`, whose input is `inputShape`.
    func through(_ layer: any Layer, inputShape: [Int], file: String) throws -> ReceptiveField {
        switch layer {
        case let conv as Conv2D:
            let pad = conv.padding.resolve(height: inputShape[1], width: inputShape[2], kernel: conv.kernelSize,
                                           stride: conv.stride, dilation: conv.dilation)
            return through(kernel: conv.kernelSize, stride: conv.stride, dilation: conv.dilation, padTop: pad.top, padLeft: pad.left)
        case let pool as MaxPool2D:
            return through(kernel: pool.kernelSize, stride: pool.stride, padTop: pool.padding.height, padLeft: pool.padding.width)
        case let pool as AvgPool2D:
            return through(kernel: pool.kernelSize, stride: pool.stride, padTop: pool.padding.height, padLeft: pool.padding.width)
        case let block as Residual:
            // The body's path is the widest; the shortcut (identity, subsampling or 1x1) sees less.
            return try through(block.body, inputShape: inputShape, file: file)
        case let sequence as Sequential:
            var field = self, shape = inputShape
            for inner in sequence.layers {
                field = try field.through(inner, inputShape: shape, file: file)
                shape = try inner.outputShape(for: shape)
            }
            return field
        default:
            guard foldedKinds.contains(layer.kind) else {
                throw LearnedFigureError("\(file): layer \"\(layer.name)\" (\(layer.kindName)) has no receptive field window")
            }
            return self
        }
    }
}
