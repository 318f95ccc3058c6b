// Activation files: the output of chosen layers for one input, stored as HDF5 datasets named after
// the layers, for the feature-map figures and for students' own analysis.
import CNNData
import CNNEngine
import CNNStore
import Foundation

/// Records layer outputs of a network for one input batch.
public enum ActivationRecorder {
    /// The input (as the model saw it) and the output of each top-level layer named in `layers`
    /// (every layer when empty), in network order.
    /// - Throws: `ConfigurationError` naming an unknown layer and listing the known ones.
    public static func record(_ network: Sequential, input: Tensor, layers: [String] = []) throws -> [(name: String, tensor: Tensor)] {
        let known = network.layers.map(\.name)
        if let unknown = layers.first(where: { !known.contains($0) }) {
            throw ConfigurationError("no layer named \"\(unknown)\"; the layers are \(known.joined(separator: ", "))")
        }
        network.setTraining(false)
        var result: [(name: String, tensor: Tensor)] = [("input", input.copy())]
        _ = try network.forward(input) { layer, output in
            if layers.isEmpty || layers.contains(layer.name) { result.append((layer.name, output.copy())) }
        }
        return result
    }

    /// Writes recorded activations to `url` atomically: one float32 dataset per layer
    /// (`/input`, `/C1`, ...) with attributes `model`, `source` and `layers` (in order).
    public static func write(_ activations: [(name: String, tensor: Tensor)], model: String, source: String, to url: URL) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try file.setAttribute("format", to: "cnnbench-activations")
            try file.setAttribute("model", to: model)
            try file.setAttribute("source", to: source)
            try file.setAttribute("layers", to: activations.map(\.name))
            for (name, tensor) in activations { _ = try file.write(tensor, to: name) }
        }
    }

    /// One image prepared as a model expects it: a PNG (grey or colour, converted to the model's
    /// channels) or a data set's test image, normalised with the model file's statistics.
    /// - Throws: `DataError` for a bad file; `ShapeError` when the image size differs from the model's input.
    public static func input(for contents: ModelFileContents, spec: ModelSpec, image: String?, dataset: String?,
                             dataDirectory: String?, index: Int) throws -> (tensor: Tensor, label: String) {
        let normalization = contents.dataset.map {
            Normalization(mean: $0.normalizationMean.map(Float.init), standardDeviation: $0.normalizationStd.map(Float.init))
        } ?? .unitRange
        let c = spec.inputShape[0], h = spec.inputShape[1], w = spec.inputShape[2]
        if let image {
            let png = try PNGImage(contentsOf: image)
            guard png.height == h, png.width == w else {
                throw ShapeError("\(image): the image is \(png.width)x\(png.height) pixels, the model takes \(w)x\(h)")
            }
            let pixels = png.pixels(channels: c)
            let dataset = try Dataset(name: image, images: pixels, labels: [0], channels: c, height: h, width: w, classNames: ["?"])
            return (try dataset.batch([0], normalization: normalization).inputs, URL(fileURLWithPath: image).lastPathComponent)
        }
        var recipe = TrainingRecipe()
        recipe.validationCount = 0
        let source = DataSource(name: dataset ?? contents.dataset.map { $0.name.lowercased().hasPrefix("fashion") ? "fashion-mnist" : "mnist" } ?? "mnist",
                                directory: dataDirectory)
        let data = try PreparedData(source: source, modelInput: spec.inputShape, recipe: recipe)
        guard index >= 0, index < data.test.count else {
            throw ConfigurationError("--index \(index) is outside the \(data.test.count) test images of \(source.name)")
        }
        let batch = try data.test.batch([index], normalization: normalization)
        return (batch.inputs, "\(source.name) test image \(index), label \(data.test.classNames[Int(batch.labels[0])])")
    }
}
