// What the "what networks learn" figures (C1-C5) share: loading a trained model file, preparing one
// input exactly as the model saw its training data, running it and keeping the feature maps of
// every convolution and pooling layer, and the receptive field of a layer's units.
import CNNData
import CNNEngine
import CNNModels
import CNNStore
import Foundation

/// A user-reachable mistake in a figure's input: a file, layer, channel or image that does not fit.
public struct LearnedFigureError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A trained network read from a model file, in evaluation mode, with what the file says about its data.
public struct TrainedModel {
    /// The file it was read from.
    public let path: String
    /// The architecture.
    public let spec: ModelSpec
    /// The network with the stored weights, in evaluation mode.
    public let network: Sequential
    /// Everything the file holds.
    public let contents: ModelFileContents

    /// Reads a CNNBench model file, or an ONNX file whose graph the engine can run.
    /// - Throws: `LearnedFigureError` naming the file when it is neither (Keras files are read only by
    ///   `cnnviz filters`), or the store's error for a damaged one or an ONNX graph that cannot be run.
    public init(contentsOf path: String) throws {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else {
            throw LearnedFigureError("\(path): no such file")
        }
        guard ModelFile.isModelFile(url) || ONNXFile.isONNXFile(url) else {
            throw LearnedFigureError("\(path): not a CNNBench model file (no format attribute \"\(ModelFile.format)\") nor an ONNX file; train one with `cnnbench train`")
        }
        (spec, network, contents) = try ModelFile.loadModel(from: url)
        network.setTraining(false)
        self.path = path
    }

    /// The model's name and the data it was trained on, for titles: "lenet5 (MNIST)".
    public var displayName: String { modelTitle(contents) }

    /// One sample's shape, [C, H, W].
    public var inputShape: [Int] { spec.inputShape }

    /// How the model's training bytes were normalised, (byte / 255 - mean) / std; byte / 255 when the file does not say.
    public var normalization: Normalization {
        guard let d = contents.dataset, !d.normalizationMean.isEmpty, d.normalizationMean.count == d.normalizationStd.count,
              d.normalizationStd.allSatisfy({ $0 > 0 }) else { return .unitRange }
        return Normalization(mean: d.normalizationMean.map(Float.init), standardDeviation: d.normalizationStd.map(Float.init))
    }

    /// Class names from the file, or the class numbers.
    public var classNames: [String] {
        if let names = contents.dataset?.classNames, names.count == spec.classes { return names }
        return (0..<spec.classes).map(String.init)
    }

    /// The top-level layer named `name`.
    /// - Throws: `LearnedFigureError` listing the layers that would do.
    public func layer(named name: String, kinds: Set<LayerKind>, what: String) throws -> any Layer {
        let candidates = network.layers.filter { kinds.contains($0.kind) }
        if let found = candidates.first(where: { $0.name == name }) { return found }
        throw LearnedFigureError("\(path): no \(what) named \"\(name)\"; \(contents.model) has \(candidates.map(\.name).joined(separator: ", "))")
    }
}

/// A model's name and its data set for titles: "lenet5 (MNIST)" (the file records "MNIST train").
func modelTitle(_ contents: ModelFileContents) -> String {
    let model = ModelZoo.displayName(contents.model)
    guard var dataset = contents.dataset?.name, !dataset.isEmpty else { return model }
    for suffix in [" train", " (train)", " training"] where dataset.lowercased().hasSuffix(suffix) {
        dataset = String(dataset.dropLast(suffix.count))
    }
    return "\(model) on \(dataset)"
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

// MARK: - One input, as the model saw its data

/// One input image at the model's input size, as bytes, and where it came from.
public struct InputImage: Sendable, Equatable {
    /// Channels-first bytes, C x H x W.
    public var bytes: [UInt8]
    public var channels: Int
    public var height: Int
    public var width: Int
    /// Where it came from: "MNIST test image 0 (label 7)", "digit.png".
    public var source: String
    /// What was done to fit it to the model ("centred on a 32x32 black canvas"), or nil.
    public var adjustment: String?

    public init(bytes: [UInt8], channels: Int, height: Int, width: Int, source: String, adjustment: String? = nil) {
        precondition(bytes.count == channels * height * width, "InputImage: \(bytes.count) bytes for \(channels)x\(height)x\(width)")
        self.bytes = bytes; self.channels = channels; self.height = height; self.width = width
        self.source = source; self.adjustment = adjustment
    }

    /// The normalised tensor [1, C, H, W] the network takes: (byte / 255 - mean[c]) / std[c], computed as the
    /// training batches compute it, byte * scale[c] + offset[c], so the values are the same bits.
    public func tensor(_ normalization: Normalization) -> Tensor {
        let t = Tensor(shape: [1, channels, height, width])
        let plane = height * width
        // Statistics for 1 or `channels` channels, as every model file holds.
        let scale = (try? normalization.scale(channels: channels)) ?? [Float](repeating: 1 / 255, count: channels)
        let offset = (try? normalization.offset(channels: channels)) ?? [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            for i in 0..<plane { t.pointer[c * plane + i] = Float(bytes[c * plane + i]) * scale[c] + offset[c] }
        }
        return t
    }

    /// The image moved right by `dx` and down by `dy` pixels, the uncovered border filled with 0 (black, as MNIST's background).
    public func shifted(dx: Int, dy: Int) -> InputImage {
        var out = [UInt8](repeating: 0, count: bytes.count)
        for c in 0..<channels {
            for y in 0..<height where y - dy >= 0 && y - dy < height {
                for x in 0..<width where x - dx >= 0 && x - dx < width {
                    out[(c * height + y) * width + x] = bytes[(c * height + y - dy) * width + x - dx]
                }
            }
        }
        return InputImage(bytes: out, channels: channels, height: height, width: width,
                          source: "\(source) shifted by (\(dx), \(dy))", adjustment: adjustment)
    }

    /// Pixel values in [0, 1] for drawing, channel planes one after another.
    public var unitValues: [Float] { bytes.map { Float($0) / 255 } }

    /// Fits `bytes` of `height` x `width` to the model's [C, H, W]: used as is, or centred on a black
    /// canvas when at most 8 pixels smaller (as `cnnbench train` pads MNIST's 28x28 for a 32x32 LeNet-5).
    /// - Throws: `LearnedFigureError` naming `source` and both sizes otherwise.
    static func fitted(bytes: [UInt8], channels: Int, height: Int, width: Int, to shape: [Int], source: String) throws -> InputImage {
        let (h, w) = (shape[1], shape[2])
        if height == h && width == w { return InputImage(bytes: bytes, channels: channels, height: h, width: w, source: source) }
        guard height <= h, width <= w, h - height <= 8, w - width <= 8 else {
            throw LearnedFigureError("\(source) is \(width)x\(height) pixels; the model takes \(w)x\(h) images (no resizing: crop or scale it first)")
        }
        let top = (h - height) / 2, left = (w - width) / 2
        var out = [UInt8](repeating: 0, count: channels * h * w)
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width { out[(c * h + top + y) * w + left + x] = bytes[(c * height + y) * width + x] }
            }
        }
        return InputImage(bytes: out, channels: channels, height: h, width: w, source: source,
                          adjustment: "\(width)x\(height) centred on a \(w)x\(h) black canvas, as in training")
    }

    /// Reads a PNG for `model`: grey or colour converted to the model's channels, fitted to its input size.
    /// - Throws: `LearnedFigureError` or `DataError` naming the file.
    public static func png(_ path: String, for model: TrainedModel) throws -> InputImage {
        let image = try PNGImage(contentsOf: path)
        let channels = model.inputShape[0]
        guard channels == 1 || channels == 3 else {
            throw LearnedFigureError("\(model.path): the model takes \(channels)-channel inputs; PNG inputs work for 1 or 3 channels")
        }
        // Errors name the file as given; titles name it without its folder.
        var input = try fitted(bytes: image.pixels(channels: channels), channels: channels, height: image.height,
                               width: image.width, to: model.inputShape, source: path)
        input.source = (path as NSString).lastPathComponent
        return input
    }

    /// Test image `index` of a data set, fitted to `model`'s input.
    /// - Throws: `LearnedFigureError` for an index outside the test set or images of the wrong channels.
    public static func testImage(_ index: Int, of dataset: Dataset, for model: TrainedModel) throws -> InputImage {
        guard index >= 0 && index < dataset.count else {
            throw LearnedFigureError("--index \(index) is outside the \(dataset.count) images of \(dataset.name)")
        }
        guard dataset.channels == model.inputShape[0] else {
            throw LearnedFigureError("\(dataset.name) has \(dataset.channels)-channel images; \(model.path) takes \(model.inputShape[0]) channels")
        }
        let label = dataset.classNames[Int(dataset.labels[index])]
        return try fitted(bytes: Array(dataset.image(at: index)), channels: dataset.channels, height: dataset.height,
                          width: dataset.width, to: model.inputShape, source: "\(dataset.name) image \(index) (\(label))")
    }
}

/// The test images of the named data sets the lectures' models train on.
public enum LectureData {
    /// The shipped MNIST folder, relative to the working directory (as `cnnbench train` finds it).
    public static let defaultMNISTDirectory = "datasets/mnist"

    /// The test split of `name` (`mnist` or `fashion-mnist`), read from `directory` or the default folder.
    /// - Throws: `LearnedFigureError` for another name; `DataError` naming a missing or bad file.
    public static func testSet(_ name: String, directory: String? = nil) throws -> Dataset {
        switch name.lowercased() {
        case "mnist": return try Dataset.mnist(directory: directory ?? defaultMNISTDirectory).test
        case "fashion-mnist", "fashionmnist", "fmnist":
            return try Dataset.fashionMNIST(directory: directory ?? Dataset.fashionMNISTDefaultDirectory).test
        default:
            throw LearnedFigureError("data set \"\(name)\": use mnist or fashion-mnist (or --image FILE.png)")
        }
    }

    /// The data set `model` was trained on, by the name in its file (MNIST when the file does not say),
    /// shrunk as its recipe shrank the training images (`downsample`).
    public static func testSet(for model: TrainedModel, name: String? = nil, directory: String? = nil) throws -> Dataset {
        let test = try unshrunkTestSet(for: model, name: name, directory: directory)
        guard let factor = NamedDataset.downsampleFactor(model.contents) else { return test }
        return try test.downsampled(by: factor)
    }

    static func unshrunkTestSet(for model: TrainedModel, name: String?, directory: String?) throws -> Dataset {
        if let name { return try testSet(name, directory: directory) }
        // The file records the training set's name ("MNIST train", "Fashion-MNIST train").
        let stored = (model.contents.dataset?.name ?? "mnist").lowercased()
        guard stored.contains("mnist") else {
            throw LearnedFigureError("\(model.path) was trained on \"\(model.contents.dataset?.name ?? "")\"; give --dataset mnist or fashion-mnist, or --image FILE.png")
        }
        return try testSet(stored.contains("fashion") ? "fashion-mnist" : "mnist", directory: directory)
    }
}

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
