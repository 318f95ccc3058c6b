// Convolution weights as plain numbers, whatever file they come from: the filter figures (C2, B2)
// take these, never a network, so a Keras reader only has to produce them.
import CNNEngine
import CNNModels
import CNNPlot
import CNNRuns
import CNNStore
import Foundation

/// One convolution's weights, [outC, inC, kH, kW] as in PyTorch, and its name.
public struct ConvolutionWeights: Sendable, Equatable {
    /// The layer's name (`C1`, `stage1_block1/conv1`).
    public var layer: String
    /// [outC, inC, kH, kW].
    public var shape: [Int]
    /// outC x inC x kH x kW values, row-major.
    public var values: [Float]

    /// Creates weights from a shape [outC, inC, kH, kW] and its values.
    public init(layer: String, shape: [Int], values: [Float]) {
        precondition(shape.count == 4, "ConvolutionWeights \"\(layer)\": shape must be [outC, inC, kH, kW], got \(shape)")
        precondition(values.count == shape.reduce(1, *), "ConvolutionWeights \"\(layer)\": \(values.count) values for shape \(shape)")
        self.layer = layer; self.shape = shape; self.values = values
    }

    public var outChannels: Int { shape[0] }
    public var inChannels: Int { shape[1] }
    public var kernelHeight: Int { shape[2] }
    public var kernelWidth: Int { shape[3] }

    /// Filter `o`: its inC planes of kH x kW, one after another.
    public func filter(_ o: Int) -> [Float] {
        let size = inChannels * kernelHeight * kernelWidth
        return Array(values[o * size..<(o + 1) * size])
    }

    /// The kH x kW slice of filter `o` that reads input channel `i`.
    public func slice(_ o: Int, _ i: Int) -> [Float] {
        let plane = kernelHeight * kernelWidth, start = (o * inChannels + i) * plane
        return Array(values[start..<start + plane])
    }

    /// The mean of filter `o` over its input channels, kH x kW.
    public func meanOverInputs(_ o: Int) -> [Float] {
        let plane = kernelHeight * kernelWidth
        var sum = [Float](repeating: 0, count: plane)
        for i in 0..<inChannels { for (k, v) in slice(o, i).enumerated() { sum[k] += v } }
        return sum.map { $0 / Float(inChannels) }
    }

    /// "C1 [6, 1, 5, 5]".
    public var label: String { "\(layer) \(shape.shapeDescription)" }
}

/// The convolutions of a model file, in network order, and the model's name.
public struct ModelConvolutions: Sendable {
    /// The model's name, for titles: "lenet5 (MNIST)".
    public var model: String
    /// Every convolution's weights, in network order.
    public var layers: [ConvolutionWeights]
    /// What the model is and what it learned from, as its file says ("trained on Fashion-MNIST train, 3 epochs,
    /// test error 11.2%"), or nil when the file does not say.
    public var provenance: String?

    public init(model: String, layers: [ConvolutionWeights], provenance: String? = nil) {
        self.model = model; self.layers = layers; self.provenance = provenance
    }

    /// The layer named `name`, or the first convolution when nil.
    /// - Throws: `LearnedFigureError` listing the convolutions when there is no such layer (or none at all).
    public func layer(_ name: String?, file: String) throws -> ConvolutionWeights {
        guard let first = layers.first else {
            throw LearnedFigureError("\(file): \(model) has no convolution layers (4-D weights)")
        }
        guard let name else { return first }
        if let found = layers.first(where: { $0.layer == name }) { return found }
        throw LearnedFigureError("\(file): no convolution named \"\(name)\"; \(model) has \(layers.map(\.layer).joined(separator: ", "))")
    }

    /// Every 4-D `<layer>/weight` array of a model file's contents.
    public init(_ contents: ModelFileContents) {
        self.init(model: TrainedModel.displayName(of: contents), layers: contents.weights.compactMap { path, tensor in
            guard tensor.shape.count == 4, path.hasSuffix("/weight") else { return nil }
            return ConvolutionWeights(layer: String(path.dropLast("/weight".count)), shape: tensor.shape, values: tensor.values)
        }, provenance: trainingProvenance(contents))
    }

    /// Reads the convolutions of a model file.
    /// - Throws: `LearnedFigureError` naming the file when it is missing or neither a CNNBench nor a Keras file.
    public static func read(_ path: String) throws -> ModelConvolutions {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { throw LearnedFigureError("\(path): no such file") }
        if ModelFile.isModelFile(url) { return ModelConvolutions(try ModelFile.read(from: url)) }
        // ONNX files too, whether or not their graph can be rebuilt: the Conv weights are enough.
        if ONNXFile.isONNXFile(url) { return ModelConvolutions(try ONNXFile.contents(of: url)) }
        // Keras files come back with kernels already in [outC, inC, kH, kW].
        if KerasFile.isKerasFile(url) { return ModelConvolutions(try KerasFile.contents(of: url)) }
        // A file HDF5 cannot open (truncated, corrupt, not HDF5) says so, rather than "neither".
        do { try HDF5File(opening: url).close() } catch let error as StoreError where error.problem != .notHDF5 { throw error } catch {}
        throw LearnedFigureError("\(path): neither a CNNBench model file (no format attribute \"\(ModelFile.format)\") nor a Keras weights file nor an ONNX file")
    }
}

/// What a model file says its model is and learned from: its own `description` (the sparse filters
/// write one), else the data set, images, augmentation, epochs and last test error of its training run
/// ("trained on Fashion-MNIST train (first 20000 images, crops and flips), 3 epochs, test error 11.2%").
func trainingProvenance(_ contents: ModelFileContents) -> String? {
    if let description = contents.metadata["description"], !description.isEmpty { return description }
    var parts: [String] = []
    if let name = contents.dataset?.name, !name.isEmpty {
        var details: [String] = []
        if let recipe = contents.recipeValues {
            if let limit = recipe["trainLimit"] as? Int { details.append("first \(groupedThousands(limit)) images") }
            if let factor = contents.downsampleFactor { details.append("shrunk \(factor)x") }
            if recipe["augment"] as? Bool == true { details.append("crops and flips") }
        }
        parts.append("trained on \(name)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"))
    }
    if contents.epochs > 0 { parts.append("\(contents.epochs) epoch\(contents.epochs == 1 ? "" : "s")") }
    if let error = contents.history["test_error"]?.last(where: { $0.isFinite }) {
        parts.append("test error " + String(format: "%.2f%%", 100 * error))  // as the results tables write it
    }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
}
