import CNNEngine
import Foundation

extension ModelFileContents {
    /// The architecture, decoded from the file's JSON (the one decoder of it).
    /// - Throws: `StoreError` naming `file` when the JSON is not a valid model description.
    public func architecture(file: String) throws -> ModelSpec {
        do {
            return try JSONDecoder().decode(ModelSpec.self, from: Data(architectureJSON.utf8))
        } catch {
            throw StoreError(.corrupt, file: file, objectPath: "/", reason: "the architecture attribute is not a valid model description: \(error)")
        }
    }
}

/// Loading stored weights into networks and rebuilding networks from model files.
extension ModelFile {
    /// Copies every parameter and buffer of `contents` into `network`, matched by path.
    /// - Throws: `StoreError` naming the file and the path of a missing or misshapen array.
    public static func load(_ contents: ModelFileContents, into network: Sequential, file: String) throws {
        let stored = Dictionary(contents.weights + contents.buffers, uniquingKeysWith: { first, _ in first })
        for (path, parameter) in network.namedParameters + network.namedBuffers {
            guard let tensor = stored[path] else {
                throw StoreError(.notFound, file: file, objectPath: path, reason: "the model file has no array for \(path), which the architecture needs")
            }
            guard tensor.shape == parameter.value.shape else {
                throw StoreError(.wrongShape, file: file, objectPath: path,
                                 reason: "\(path) has shape \(tensor.shape.shapeDescription), the architecture needs \(parameter.value.shape.shapeDescription)")
            }
            parameter.value.assign(tensor)
        }
    }

    /// Checks an architecture against the file's attributes and arrays before anything is built, so
    /// that a small file declaring a huge layer is an error, not a failed allocation.
    /// - Throws: `StoreError` naming the file and the difference.
    public static func checkArchitecture(_ spec: ModelSpec, against contents: ModelFileContents, file: String) throws {
        guard spec.classes == contents.classes, spec.inputShape == contents.inputShape else {
            throw StoreError(.corrupt, file: file, objectPath: "/architecture",
                             reason: "the architecture is for \(spec.classes) classes and input \(describeShape(spec.inputShape)), "
                             + "the file's attributes say \(contents.classes) classes and input \(describeShape(contents.inputShape))")
        }
        // Slack for arrays that are merely missing or misshapen, which `load` names one by one; beyond
        // it, building the network would allocate far more than the file could ever fill.
        let stored = (contents.weights + contents.buffers).reduce(0) { $0 + $1.tensor.count }
        let declared = spec.declaredValueCount
        guard declared <= max(4 * stored, 1 << 20) else {
            throw StoreError(.corrupt, file: file, objectPath: "/architecture",
                             reason: "the architecture declares \(declared == .max ? "more than \(Int.max)" : String(declared)) weights, "
                             + "the file stores only \(stored): the architecture or the weights are corrupt")
        }
    }

    /// Reads this toolkit's model file, or a Keras `.h5` / `.weights.h5` or an ONNX `.onnx` file converted to the same contents.
    public static func readAny(from url: URL) throws -> ModelFileContents {
        if ONNXFile.isONNXFile(url) {
            let contents = try ONNXFile.contents(of: url)
            try validate(contents, file: url.path)
            return contents
        }
        if !isModelFile(url) && KerasFile.isKerasFile(url) {
            let contents = try KerasFile.contents(of: url)
            try validate(contents, file: url.path)
            return contents
        }
        return try read(from: url)
    }

    /// Reads a model file (or a Keras Sequential model file, or an ONNX graph of supported operators) and
    /// rebuilds its network with the stored weights, in evaluation mode.
    public static func loadModel(from url: URL) throws -> (spec: ModelSpec, network: Sequential, contents: ModelFileContents) {
        let contents = try readAny(from: url)
        guard !contents.architectureJSON.isEmpty else {
            if ONNXFile.isONNXFile(url) {
                let why = contents.metadata["architecture_not_rebuilt"] ?? "unknown reason"
                throw StoreError(.invalidArgument, file: url.path, reason: "the ONNX graph cannot be run by CNNBench: \(why). Its weights can still be drawn with `cnnviz filters`")
            }
            let why = contents.metadata["architecture_not_rebuilt"].map { " (\($0))" } ?? ""
            throw StoreError(.invalidArgument, file: url.path, reason: "the Keras model's architecture could not be rebuilt\(why); only Sequential models of Conv2D, pooling, Dense, Flatten, Dropout, activations and batch norm are. Its weights can still be drawn with `cnnviz filters`")
        }
        let spec = try contents.architecture(file: url.path)
        try checkArchitecture(spec, against: contents, file: url.path)
        let network = try spec.build()
        try load(contents, into: network, file: url.path)
        network.setTraining(false)
        return (spec, network, contents)
    }

    /// The contents of a model file for `spec` with freshly initialised weights (for exporting an untrained zoo model).
    public static func initialContents(of spec: ModelSpec, seed: UInt64) throws -> ModelFileContents {
        let network = try spec.build()
        network.initialize(seed: seed)
        let json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        return ModelFileContents(model: spec.name, architectureJSON: json, inputShape: spec.inputShape, classes: spec.classes,
                                 weights: network.namedParameters.map { ($0.path, $0.parameter.value) },
                                 buffers: network.namedBuffers.map { ($0.path, $0.parameter.value) },
                                 metadata: ["note": "untrained: initial weights from seed \(seed)"])
    }
}
