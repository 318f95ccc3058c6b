// Activation files: the output of chosen layers for one input, stored as HDF5 datasets named after
// the layers, for the feature-map figures and for students' own analysis.
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
}
