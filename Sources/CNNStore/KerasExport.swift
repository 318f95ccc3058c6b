// Model files written in Keras 2's `model.save("model.h5")` layout, the reverse of KerasFile.swift.
//
// Only what a Keras Sequential holds: Conv2D (stride 1 with "same" padding, or no padding), max and
// average pooling without padding, Flatten, Dense, Dropout, ReLU / tanh / sigmoid activations and
// batch norm. Kernels go from [cout, cin, kh, kw] to (kh, kw, cin, cout); a Dense layer after Flatten
// gets its input rows from the engine's (C, H, W) order into Keras' (H, W, C).
import CNNEngine
import Foundation

extension KerasFile {
    /// Writes a model file's contents as a Keras 2 `.h5` file (root `model_config`, `model_weights`).
    /// - Throws: `StoreError` naming `url` and the first layer that a Keras Sequential cannot express.
    public static func write(_ contents: ModelFileContents, to url: URL) throws {
        let file = url.path
        guard !contents.architectureJSON.isEmpty else {
            throw StoreError(.invalidArgument, file: file, reason: "the model has no architecture (weights only), so it cannot be written as a Keras model")
        }
        let spec = try contents.architecture(file: file)
        let arrays = Dictionary(contents.weights + contents.buffers, uniquingKeysWith: { a, _ in a })
        func array(_ path: String) throws -> Tensor {
            guard let tensor = arrays[path] else {
                throw StoreError(.notFound, file: file, objectPath: path, reason: "the model has no array for \(path), which the architecture needs")
            }
            return tensor
        }
        guard spec.inputShape.count == 3 else {
            throw StoreError(.invalidArgument, file: file, reason: "Keras export needs an image input [C, H, W], the model takes \(spec.inputShape.shapeDescription)")
        }
        var configs: [[String: Any]] = [[
            "class_name": "InputLayer",
            "config": ["name": "input", "batch_input_shape": [NSNull(), spec.inputShape[1], spec.inputShape[2], spec.inputShape[0]], "dtype": "float32"],
        ]]
        var weights: [(layer: String, values: [(name: String, shape: [Int], values: [Float])])] = []
        var shape = spec.inputShape
        var flattenedFrom: [Int]?
        for layer in spec.layers {
            func refuse(_ why: String) -> StoreError {
                StoreError(.invalidArgument, file: file, objectPath: layer.name, reason: "layer \(layer.name) cannot be written as a Keras layer: \(why); export the model as ONNX instead")
            }
            let name = layer.name
            func pooling(kernel: Pair, stride: Pair, padding: Pair, ceilMode: Bool) throws -> [String: Any] {
                guard padding == Pair(0, 0), !ceilMode else { throw refuse("pooling with padding or ceil mode") }
                return ["pool_size": [kernel.height, kernel.width], "strides": [stride.height, stride.width],
                        "padding": "valid", "data_format": "channels_last"]
            }
            func batchNormalization(momentum: Float, epsilon: Float) -> [String: Any] {
                ["axis": -1, "momentum": Double(1 - momentum), "epsilon": Double(epsilon), "center": true, "scale": true]
            }
            func batchNormalizationWeights() throws -> [(name: String, shape: [Int], values: [Float])] {
                try [("weight", "gamma"), ("bias", "beta"), ("running_mean", "moving_mean"), ("running_var", "moving_variance")].map { p, k in
                    let t = try array("\(name)/\(p)")
                    return ("\(name)/\(k):0", t.shape, t.values)
                }
            }
            var config: [String: Any] = ["name": name, "trainable": true, "dtype": "float32"]
            var className: String
            var values: [(name: String, shape: [Int], values: [Float])] = []
            var keepFlattened = false
            switch layer {
            case let .conv2D(conv):
                let (kernel, stride, dilation) = (conv.kernelSize, conv.stride, conv.dilation)
                guard conv.groups == 1 else { throw refuse("grouped convolution") }
                let p = conv.padding.resolve(height: shape[1], width: shape[2], kernel: kernel, stride: stride, dilation: dilation)
                let same = Padding.same.resolve(height: shape[1], width: shape[2], kernel: kernel, stride: stride, dilation: dilation)
                let mode: String
                if p == (0, 0, 0, 0) { mode = "valid" }
                else if p == same && stride == Pair(1, 1) { mode = "same" }
                else { throw refuse("padding \(conv.padding) is neither none nor Keras' \"same\"") }
                className = "Conv2D"
                config.merge(["filters": conv.outChannels, "kernel_size": [kernel.height, kernel.width], "strides": [stride.height, stride.width],
                              "padding": mode, "data_format": "channels_last", "dilation_rate": [dilation.height, dilation.width],
                              "groups": 1, "activation": "linear", "use_bias": conv.bias]) { $1 }
                let w = try array("\(name)/weight")
                let (co, ci, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
                var k = [Float](repeating: 0, count: w.count)
                for o in 0..<co { for c in 0..<ci { for i in 0..<kh { for j in 0..<kw {
                    k[((i * kw + j) * ci + c) * co + o] = w[o, c, i, j]
                } } } }
                values.append(("\(name)/kernel:0", [kh, kw, ci, co], k))
                if conv.bias { values.append(("\(name)/bias:0", [co], try array("\(name)/bias").values)) }
            case let .dense(dense):
                let (inF, outF) = (dense.inFeatures, dense.outFeatures)
                className = "Dense"
                config.merge(["units": outF, "activation": "linear", "use_bias": dense.bias]) { $1 }
                let w = try array("\(name)/weight")
                var k = [Float](repeating: 0, count: w.count)
                // Row r of the Keras kernel is input feature r in Keras' order: (H, W, C) after a Flatten of an image.
                let chw = flattenedFrom.flatMap { $0.count == 3 ? $0 : nil }
                for f in 0..<inF {
                    var r = f
                    if let chw {
                        let (c, h, wd) = (chw[0], chw[1], chw[2])
                        let ch = f / (h * wd), y = (f / wd) % h, x = f % wd
                        r = (y * wd + x) * c + ch
                    }
                    for o in 0..<outF { k[r * outF + o] = w[o, f] }
                }
                values.append(("\(name)/kernel:0", [inF, outF], k))
                if dense.bias { values.append(("\(name)/bias:0", [outF], try array("\(name)/bias").values)) }
            case .relu, .tanh, .sigmoid:
                className = "Activation"
                config["activation"] = { if case .relu = layer { return "relu" }; if case .tanh = layer { return "tanh" }; return "sigmoid" }()
                keepFlattened = true
            case .flatten:
                className = "Flatten"
                config["data_format"] = "channels_last"
                flattenedFrom = shape
                keepFlattened = true
            case let .dropout(dropout):
                className = "Dropout"
                config["rate"] = Double(dropout.probability)
                keepFlattened = true
            case let .maxPool2D(pool):
                className = "MaxPooling2D"
                config.merge(try pooling(kernel: pool.kernelSize, stride: pool.stride, padding: pool.padding, ceilMode: pool.ceilMode)) { $1 }
            case let .avgPool2D(pool):
                className = "AveragePooling2D"
                config.merge(try pooling(kernel: pool.kernelSize, stride: pool.stride, padding: pool.padding, ceilMode: pool.ceilMode)) { $1 }
            case let .batchNorm2D(norm):
                className = "BatchNormalization"
                config.merge(batchNormalization(momentum: norm.momentum, epsilon: norm.epsilon)) { $1 }
                values = try batchNormalizationWeights()
            case let .batchNorm1D(norm):
                className = "BatchNormalization"
                config.merge(batchNormalization(momentum: norm.momentum, epsilon: norm.epsilon)) { $1 }
                values = try batchNormalizationWeights()
            case .leakyReLU: throw refuse("Keras' LeakyReLU is not read back by CNNBench")
            case .localResponseNorm: throw refuse("Keras has no local response normalisation layer")
            case .adaptiveAvgPool2D: throw refuse("adaptive pooling")
            case .residual, .channelConcat, .sequential: throw refuse("a Keras Sequential has no blocks with shortcuts")
            // A kind added to the engine is refused by name until a case here writes it (docs/adding-a-layer.md).
            @unknown default: throw refuse("Keras export does not write \(layer.kind) layers yet")
            }
            if !keepFlattened { flattenedFrom = nil }
            configs.append(["class_name": className, "config": config])
            weights.append((name, values))
            shape = try layer.outputShapeWithoutWeights(for: shape)
        }
        let modelConfig: [String: Any] = ["class_name": "Sequential", "config": ["name": spec.name, "layers": configs]]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: modelConfig, options: [.sortedKeys]), as: UTF8.self)
        try HDF5File.writeAtomically(to: url) { h5 in
            try h5.setAttribute("model_config", to: json)
            try h5.setAttribute("keras_version", to: "2.15.0")
            try h5.setAttribute("backend", to: "tensorflow")
            let group = try h5.createGroup("model_weights")
            try group.setAttribute("layer_names", to: weights.map(\.layer))
            try group.setAttribute("backend", to: "tensorflow")
            try group.setAttribute("keras_version", to: "2.15.0")
            for (layer, values) in weights {
                let layerGroup = try group.createGroup(layer)
                if !values.isEmpty { try layerGroup.setAttribute("weight_names", to: values.map(\.name)) }
                for value in values { _ = try layerGroup.write(value.values, shape: value.shape, to: value.name) }
            }
        }
    }
}
