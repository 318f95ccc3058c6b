// Keras model files, read into this toolkit's layout.
//
// Keras 2 and tf.keras `model.save("model.h5")`: root attribute `model_config` (JSON), group
// `model_weights` with attribute `layer_names`, and per layer a group with attribute `weight_names`
// naming datasets relative to it (`conv1/kernel:0`; Sequential models may nest the model's name).
// Keras 3 `model.save_weights("x.weights.h5")`: `layers/<name>/vars/0, 1, ...` (kernel, bias).
// Keras is channels-last: conv kernels are (kh, kw, cin, cout) and a Dense layer after Flatten sees
// (H, W, C) order; both are rearranged here to PyTorch's [cout, cin, kh, kw] and (C, H, W) order.
import CNNEngine
import Foundation

/// One Keras layer's weights as stored, in Keras' own layouts.
public struct KerasLayer: Sendable {
    public var name: String
    /// The layer's class (`Conv2D`, `Dense`, ...) from the model config, when the file has one.
    public var className: String?
    /// Weight arrays in file order (kernel, bias, ...), with Keras shapes.
    public var weights: [(name: String, shape: [Int], values: [Float])]
}

/// Reading Keras `.h5` and `.weights.h5` files.
public enum KerasFile {
    /// Whether `url` is a Keras weights file (and not one of this toolkit's model files).
    public static func isKerasFile(_ url: URL) -> Bool {
        guard let file = try? HDF5File(opening: url) else { return false }
        defer { try? file.close() }
        return ((try? file.contains("model_weights")) ?? false) || ((try? file.hasAttribute("layer_names")) ?? false)
            || ((try? file.contains("layers")) ?? false)
    }

    /// The layers with weights, in the model's order, and the model config JSON if stored.
    /// - Throws: `StoreError` naming the file for anything missing or unreadable.
    public static func read(from url: URL) throws -> (layers: [KerasLayer], modelConfig: String?) {
        let file = try HDF5File(opening: url)
        defer { try? file.close() }
        let config = try file.hasAttribute("model_config") ? try file.stringAttribute("model_config") : nil
        let classes = config.map(layerClasses) ?? [:]
        var layers: [KerasLayer] = []
        if try file.contains("model_weights") || file.hasAttribute("layer_names") {
            // Keras 2: the weights group is `model_weights` in a whole-model file, the root in a weights-only file.
            let root: any HDF5Location = try file.contains("model_weights") ? try file.group("model_weights") : file
            for name in try root.stringArrayAttribute("layer_names") {
                let group = try root.group(name)
                let weightNames = try group.hasAttribute("weight_names") ? try group.stringArrayAttribute("weight_names") : []
                var weights: [(name: String, shape: [Int], values: [Float])] = []
                for weightName in weightNames {
                    let array = try group.read(Float.self, at: weightName)
                    weights.append((weightName, array.shape, array.values))
                }
                layers.append(KerasLayer(name: name, className: classes[name], weights: weights))
            }
        } else if try file.contains("layers") {
            // Keras 3: layers/<name>/vars/<i>.
            let group = try file.group("layers")
            for name in try group.childNames(order: .creation) {
                let layer = try group.group(name)
                var weights: [(name: String, shape: [Int], values: [Float])] = []
                if try layer.contains("vars") {
                    let vars = try layer.group("vars")
                    for index in try vars.childNames().sorted(by: { (Int($0) ?? 0) < (Int($1) ?? 0) }) {
                        let array = try vars.read(Float.self, at: index)
                        weights.append((index, array.shape, array.values))
                    }
                }
                layers.append(KerasLayer(name: name, className: classes[name], weights: weights))
            }
        } else {
            throw StoreError(.wrongKind, file: url.path, reason: "not a Keras weights file: no model_weights group, layer_names attribute or layers group")
        }
        return (layers, config)
    }

    /// Layer name -> class name from a model config.
    static func layerClasses(_ json: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let config = object["config"] as? [String: Any], let layers = config["layers"] as? [[String: Any]] else { return [:] }
        var result: [String: String] = [:]
        for layer in layers {
            if let cls = layer["class_name"] as? String, let c = layer["config"] as? [String: Any], let name = c["name"] as? String {
                result[name] = cls
            }
        }
        return result
    }

    /// A Keras file as this toolkit's model-file contents: the architecture when it is a Sequential
    /// of supported layers (Conv2D, pooling, Dense, Flatten, Dropout, activations, BatchNormalization),
    /// otherwise an empty architecture and the convolution and dense weights alone, rearranged to
    /// PyTorch's layouts and named `<layer>/weight`, `<layer>/bias` in the model's layer order.
    public static func contents(of url: URL) throws -> ModelFileContents {
        let (layers, config) = try read(from: url)
        let byName = Dictionary(layers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var notRebuilt = "the file has no model_config"
        if let config {
            do {
                let rebuilt = try KerasArchitecture(json: config, file: url.path)
                return try contents(of: url, rebuilt: rebuilt, layers: byName)
            } catch let error as StoreError where error.problem == .invalidArgument {
                notRebuilt = error.reason
            } catch let error as ShapeError {
                notRebuilt = "its layers do not fit together: \(error)"
            } catch let error as ConfigurationError {
                notRebuilt = "a layer cannot be built: \(error)"
            }
        }
        // Weights only: kernels of rank 4 are convolutions, rank 2 dense layers.
        var weights: [(path: String, tensor: Tensor)] = []
        for layer in layers {
            for (index, weight) in layer.weights.enumerated() {
                let role = index == 0 ? "weight" : (index == 1 ? "bias" : "w\(index)")
                weights.append(("\(layer.name)/\(role)", try KerasArchitecture.rearranged(weight.values, kerasShape: weight.shape, file: url.path, name: weight.name)))
            }
        }
        return ModelFileContents(model: url.deletingPathExtension().lastPathComponent, architectureJSON: "", inputShape: [], classes: 0,
                                 weights: weights, metadata: ["source": "Keras file \(url.lastPathComponent)", "architecture_not_rebuilt": notRebuilt])
    }

    private static func contents(of url: URL, rebuilt: KerasArchitecture, layers byName: [String: KerasLayer]) throws -> ModelFileContents {
            let spec = rebuilt.spec(name: url.deletingPathExtension().lastPathComponent)
            let network = try spec.build()
            var weights: [(path: String, tensor: Tensor)] = []
            var buffers: [(path: String, tensor: Tensor)] = []
            for (path, parameter) in network.namedParameters + network.namedBuffers {
                let parts = path.split(separator: "/").map(String.init)
                guard parts.count == 2, let layer = byName[parts[0]] else {
                    throw StoreError(.notFound, file: url.path, objectPath: path, reason: "no Keras weights for layer \(parts[0])")
                }
                let tensor = try rebuilt.convert(layer: layer, parameter: parts[1], into: parameter.value.shape, file: url.path)
                if parameter.name.hasPrefix("running") { buffers.append((path, tensor)) } else { weights.append((path, tensor)) }
            }
            let json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
            return ModelFileContents(model: spec.name, architectureJSON: json, inputShape: spec.inputShape, classes: spec.classes,
                                     weights: weights, buffers: buffers, metadata: ["source": "Keras file \(url.lastPathComponent)"])
    }
}

/// A Keras Sequential model config turned into layer specs, with what is needed to convert its weights.
struct KerasArchitecture {
    var layers: [LayerSpec] = []
    var inputShape: [Int] = []
    var classes = 0
    /// For Dense layers right after Flatten: the (C, H, W) shape flattened, to reorder kernel rows.
    var flattenedShapes: [String: [Int]] = [:]

    init(json: String, file: String) throws {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) } catch {
            throw StoreError(.corrupt, file: file, objectPath: "/", reason: "the model_config attribute is not valid JSON (\((error as NSError).userInfo["NSDebugDescription"] ?? error))")
        }
        guard let object = parsed as? [String: Any],
              (object["class_name"] as? String) == "Sequential",
              let config = object["config"] as? [String: Any], let list = config["layers"] as? [[String: Any]] else {
            throw StoreError(.invalidArgument, file: file, reason: "only Keras Sequential models are rebuilt")
        }
        func ints(_ v: Any?) -> [Int]? { (v as? [Any])?.compactMap { $0 as? Int } }
        func pair(_ v: Any?) -> Pair? { ints(v).flatMap { $0.count == 2 ? Pair($0[0], $0[1]) : nil } ?? (v as? Int).map { Pair($0, $0) } }
        var shape: [Int] = []
        var previousWasFlatten: [Int]? = nil
        func add(_ spec: LayerSpec) throws {
            shape = try spec.build().outputShape(for: shape)
            layers.append(spec)
        }
        func activation(_ name: String, _ kind: String?) throws {
            switch kind ?? "linear" {
            case "linear", "softmax": break  // softmax: the engine's outputs are logits
            case "relu": try add(.relu(name: name))
            case "tanh": try add(.tanh(name: name))
            case "sigmoid": try add(.sigmoid(name: name))
            default: throw StoreError(.invalidArgument, file: file, reason: "activation \(kind!) is not supported")
            }
        }
        for entry in list {
            guard let cls = entry["class_name"] as? String, let c = entry["config"] as? [String: Any] else { continue }
            let name = c["name"] as? String ?? cls.lowercased()
            if shape.isEmpty {
                // [null, H, W, C]: keep the positions, the batch entry is null.
                func dims(_ v: Any?) -> [Int?]? { (v as? [Any])?.map { $0 as? Int } }
                let batch = dims(c["batch_input_shape"]) ?? dims(c["batch_shape"]) ?? dims((entry["build_config"] as? [String: Any])?["input_shape"])
                if let b = batch, b.count == 4, let hh = b[1], let ww = b[2], let cc = b[3] { shape = [cc, hh, ww] }
                inputShape = shape
                if cls == "InputLayer" { continue }
                guard !shape.isEmpty else { throw StoreError(.invalidArgument, file: file, reason: "the model config gives no input shape") }
            }
            let flattenedBefore = previousWasFlatten
            previousWasFlatten = nil
            switch cls {
            case "Conv2D":
                guard let filters = c["filters"] as? Int, let kernel = pair(c["kernel_size"]) else {
                    throw StoreError(.invalidArgument, file: file, reason: "Conv2D \(name) has no filters or kernel_size")
                }
                let same = (c["padding"] as? String) == "same"
                try add(.conv2D(name: name, inChannels: shape[0], outChannels: filters, kernelSize: kernel, stride: pair(c["strides"]) ?? 1,
                                padding: same ? .same : .valid, dilation: pair(c["dilation_rate"]) ?? 1, bias: c["use_bias"] as? Bool ?? true))
                try activation("\(name)_activation", c["activation"] as? String)
            case "MaxPooling2D", "AveragePooling2D":
                let size = pair(c["pool_size"]) ?? 2
                guard (c["padding"] as? String ?? "valid") == "valid" else {
                    throw StoreError(.invalidArgument, file: file, reason: "\(cls) \(name) with padding \"same\" is not supported")
                }
                let stride = pair(c["strides"]) ?? size
                try add(cls == "MaxPooling2D" ? .maxPool2D(name: name, kernelSize: size, stride: stride)
                                              : .avgPool2D(name: name, kernelSize: size, stride: stride))
            case "Flatten":
                previousWasFlatten = shape
                try add(.flatten(name: name))
            case "Dense":
                guard let units = c["units"] as? Int else { throw StoreError(.invalidArgument, file: file, reason: "Dense \(name) has no units") }
                if let flattened = flattenedBefore { flattenedShapes[name] = flattened }
                try add(.dense(name: name, inFeatures: shape.reduce(1, *), outFeatures: units, bias: c["use_bias"] as? Bool ?? true))
                try activation("\(name)_activation", c["activation"] as? String)
                classes = units
            case "Dropout":
                try add(.dropout(name: name, probability: Float(c["rate"] as? Double ?? 0.5)))
                previousWasFlatten = flattenedBefore
            case "Activation", "ReLU":
                try activation(name, cls == "ReLU" ? "relu" : c["activation"] as? String)
                previousWasFlatten = flattenedBefore
            case "BatchNormalization":
                try add(shape.count == 3 ? .batchNorm2D(name: name, features: shape[0], momentum: Float(1 - (c["momentum"] as? Double ?? 0.99)), epsilon: Float(c["epsilon"] as? Double ?? 1e-3))
                                         : .batchNorm1D(name: name, features: shape[0], momentum: Float(1 - (c["momentum"] as? Double ?? 0.99)), epsilon: Float(c["epsilon"] as? Double ?? 1e-3)))
            default:
                throw StoreError(.invalidArgument, file: file, reason: "Keras layer \(cls) is not supported")
            }
        }
    }

    func spec(name: String) -> ModelSpec { ModelSpec(name: name, inputShape: inputShape, classes: classes, layers: layers) }

    /// The engine's tensor for `parameter` of a Keras layer, in the engine's `shape`.
    func convert(layer: KerasLayer, parameter: String, into shape: [Int], file: String) throws -> Tensor {
        let index: Int
        switch parameter {
        case "weight": index = 0
        case "bias": index = 1
        case "running_mean": index = 2
        case "running_var": index = 3
        default: throw StoreError(.notFound, file: file, objectPath: "\(layer.name)/\(parameter)", reason: "unknown parameter \(parameter)")
        }
        guard index < layer.weights.count else {
            throw StoreError(.notFound, file: file, objectPath: layer.name, reason: "Keras layer \(layer.name) has \(layer.weights.count) weights, needs \(index + 1)")
        }
        let w = layer.weights[index]
        var tensor = try Self.rearranged(w.values, kerasShape: w.shape, file: file, name: w.name)
        guard tensor.shape == shape else {
            throw StoreError(.wrongShape, file: file, objectPath: "\(layer.name)/\(w.name)",
                             reason: "\(layer.name)/\(w.name) has Keras shape \(w.shape.shapeDescription); the model needs \(shape.shapeDescription)")
        }
        if let flattened = flattenedShapes[layer.name], index == 0, flattened.count == 3 {
            tensor = Self.reorderFlattened(tensor, chw: flattened)
        }
        return tensor
    }

    /// Keras (kh, kw, cin, cout) -> [cout, cin, kh, kw]; (in, out) -> [out, in]; vectors unchanged.
    static func rearranged(_ v: [Float], kerasShape s: [Int], file: String, name: String) throws -> Tensor {
        switch s.count {
        case 4:
            let (kh, kw, ci, co) = (s[0], s[1], s[2], s[3])
            let t = Tensor(shape: [co, ci, kh, kw])
            for i in 0..<kh { for j in 0..<kw { for c in 0..<ci { for o in 0..<co {
                t[o, c, i, j] = v[((i * kw + j) * ci + c) * co + o]
            } } } }
            return t
        case 2:
            let t = Tensor(shape: [s[1], s[0]])
            for i in 0..<s[0] { for o in 0..<s[1] { t[o, i] = v[i * s[1] + o] } }
            return t
        case 1:
            return try Tensor(shape: s, values: v)
        default:
            throw StoreError(.wrongShape, file: file, objectPath: name, reason: "weight \(name) has unsupported shape \(s.shapeDescription)")
        }
    }

    /// Reorders a dense weight's columns from Keras' (H, W, C) flattening to the engine's (C, H, W).
    static func reorderFlattened(_ w: Tensor, chw: [Int]) -> Tensor {
        let (c, h, wd) = (chw[0], chw[1], chw[2]), out = w.shape[0]
        let t = Tensor(shape: w.shape)
        for o in 0..<out { for ch in 0..<c { for y in 0..<h { for x in 0..<wd {
            t[o, (ch * h + y) * wd + x] = w[o, (y * wd + x) * c + ch]
        } } } }
        return t
    }
}
