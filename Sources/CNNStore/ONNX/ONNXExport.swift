// A network as an ONNX graph (opset 13), one node per layer, named by the layer's path.
//
// Mapping: Conv2D -> Conv (explicit pads), Dense -> Gemm (transB = 1, PyTorch's [out, in] weights),
// BatchNorm -> BatchNormalization, MaxPool2D / AvgPool2D -> MaxPool / AveragePool, global
// AdaptiveAvgPool2D -> GlobalAveragePool (other sizes -> AveragePool when the input divides evenly),
// Flatten -> Flatten, Dropout -> Dropout (its ratio as an input), LocalResponseNorm -> LRN,
// ReLU / LeakyReLU / Tanh / Sigmoid -> Relu / LeakyRelu / Tanh / Sigmoid, a residual block -> its
// body, its shortcut and Add (option A: Slice with steps, then Pad on the channel axis), a
// DenseNet connection -> Concat. Initializers are named like the model file's weights
// (`stage1_block1/conv1/weight`); the graph's input is `input` [N, C, H, W], its output `logits` [N, classes].
import CNNEngine
import Foundation
import ONNXProto

extension ONNXFile {
    /// The ONNX model of a model file's contents: the graph, its weights, and the data set in `metadata_props`.
    /// - Throws: `StoreError` naming `file` when the contents have no architecture, lack a weight, or hold a
    ///   layer ONNX cannot express (an adaptive pooling whose input does not divide evenly).
    public static func model(from contents: ModelFileContents, file: String) throws -> Onnx_ModelProto {
        guard !contents.architectureJSON.isEmpty else {
            throw StoreError(.invalidArgument, file: file, reason: "the model has no architecture (weights only), so it cannot be exported as an ONNX graph")
        }
        let spec = try contents.architecture(file: file)
        var writer = ONNXGraphWriter(arrays: Dictionary(contents.weights + contents.buffers, uniquingKeysWith: { a, _ in a }), file: file)
        var shape = spec.inputShape
        var value = "input"
        for layer in spec.layers { value = try writer.emit(layer, input: value, shape: &shape, prefix: "") }
        writer.rename(value, to: "logits")

        var graph = Onnx_GraphProto()
        graph.name = spec.name
        graph.node = writer.nodes
        graph.initializer = writer.initializers
        graph.input = [valueInfo("input", dims: [nil] + spec.inputShape)]
        graph.output = [valueInfo("logits", dims: [nil] + shape)]

        var model = Onnx_ModelProto()
        model.irVersion = exportIRVersion
        model.producerName = producerName
        model.producerVersion = "1"
        model.docString = "\(spec.name), exported by CNNBench from its model file; outputs are logits (no softmax)."
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = exportOpset
        model.opsetImport = [opset]
        model.graph = graph
        var properties: [(String, String)] = [("cnnbench.model", contents.model)]
        // Blocks without a shortcut have no Add to mark them: their names let the importer regroup their layers.
        let plainBlocks = spec.layers.compactMap { layer -> String? in
            if case let .residual(block) = layer, block.shortcut == .none { return block.name }
            return nil
        }
        if !plainBlocks.isEmpty {
            properties.append(("cnnbench.plain_blocks", String(decoding: (try? JSONEncoder().encode(plainBlocks)) ?? Data(), as: UTF8.self)))
        }
        if let dataset = contents.dataset {
            func json<T: Encodable>(_ value: T) -> String { String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self) }
            properties += [("cnnbench.dataset", dataset.name), ("cnnbench.class_names", json(dataset.classNames)),
                           ("cnnbench.normalization_mean", json(dataset.normalizationMean)),
                           ("cnnbench.normalization_std", json(dataset.normalizationStd))]
        }
        model.metadataProps = properties.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key; entry.value = value
            return entry
        }
        return model
    }

    /// A float tensor's name, type and shape; a nil dimension is the batch, `N`.
    static func valueInfo(_ name: String, dims: [Int?]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = Int64(d) } else { dim.dimParam = "N" }
            return dim
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }
}

/// Collects nodes and initializers while walking a network's layer specs.
struct ONNXGraphWriter {
    /// Weights and buffers by model-file path (`C1/weight`).
    let arrays: [String: Tensor]
    let file: String
    var nodes: [Onnx_NodeProto] = []
    var initializers: [Onnx_TensorProto] = []
    private var usedNames: Set<String> = ["input", "logits"]

    init(arrays: [String: Tensor], file: String) { self.arrays = arrays; self.file = file }

    /// A value name not used yet: `name`, else `name_2`, `name_3`, ...
    private mutating func unique(_ name: String) -> String {
        var candidate = name, k = 2
        while usedNames.contains(candidate) { candidate = "\(name)_\(k)"; k += 1 }
        usedNames.insert(candidate)
        return candidate
    }

    /// Appends a node named `name` whose one output is also named `name`; returns the output's name.
    mutating func node(_ op: String, _ name: String, inputs: [String], attributes: [Onnx_AttributeProto] = []) -> String {
        var node = Onnx_NodeProto()
        let output = unique(name)
        node.name = output
        node.opType = op
        node.input = inputs
        node.output = [output]
        node.attribute = attributes
        nodes.append(node)
        return output
    }

    /// Adds the stored array at `path` as an initializer named `path`.
    mutating func initializer(_ path: String) throws -> String {
        guard let tensor = arrays[path] else {
            throw StoreError(.notFound, file: file, objectPath: path, reason: "the model has no array for \(path), which the architecture needs")
        }
        usedNames.insert(path)
        initializers.append(Onnx_TensorProto(name: path, float: tensor))
        return path
    }

    mutating func constant(_ name: String, int64 values: [Int64]) -> String {
        let name = unique(name)
        initializers.append(Onnx_TensorProto(name: name, int64: values, dims: [values.count]))
        return name
    }

    /// Renames the value `old` (the last node's output) to `new`.
    mutating func rename(_ old: String, to new: String) {
        guard let index = nodes.lastIndex(where: { $0.output.contains(old) }) else { return }
        nodes[index].output = nodes[index].output.map { $0 == old ? new : $0 }
    }

    /// A BatchNormalization node with the layer's γ, β and running statistics (ONNX's momentum is PyTorch's 1 - momentum).
    mutating func batchNormalization(_ path: String, input: String, momentum: Float, epsilon: Float) throws -> String {
        node("BatchNormalization", path, inputs: [
            input, try initializer(path + "/weight"), try initializer(path + "/bias"),
            try initializer(path + "/running_mean"), try initializer(path + "/running_var")],
            attributes: [.init("epsilon", float: epsilon), .init("momentum", float: 1 - momentum)])
    }

    /// Emits the nodes of one layer whose input is the value `input` of one-sample shape `shape`;
    /// returns the output value and updates `shape`.
    mutating func emit(_ spec: LayerSpec, input: String, shape: inout [Int], prefix: String) throws -> String {
        let path = prefix + spec.name
        func fail(_ reason: String) -> StoreError { StoreError(.invalidArgument, file: file, objectPath: path, reason: "layer \(path): \(reason)") }
        var output: String
        switch spec {
        case let .conv2D(conv):
            guard shape.count == 3 else { throw fail("a convolution needs a [C, H, W] input, got \(shape.shapeDescription)") }
            let (kernel, stride, dilation) = (conv.kernelSize, conv.stride, conv.dilation)
            let p = conv.padding.resolve(height: shape[1], width: shape[2], kernel: kernel, stride: stride, dilation: dilation)
            var inputs = [input, try initializer(path + "/weight")]
            if conv.bias { inputs.append(try initializer(path + "/bias")) }
            output = node("Conv", path, inputs: inputs, attributes: [
                .init("kernel_shape", ints: [kernel.height, kernel.width]), .init("strides", ints: [stride.height, stride.width]),
                .init("pads", ints: [p.top, p.left, p.bottom, p.right]), .init("dilations", ints: [dilation.height, dilation.width]),
                .init("group", int: conv.groups)])
        case let .dense(dense):
            var inputs = [input, try initializer(path + "/weight")]
            if dense.bias { inputs.append(try initializer(path + "/bias")) }
            output = node("Gemm", path, inputs: inputs, attributes: [.init("transB", int: 1)])
        case .relu: output = node("Relu", path, inputs: [input])
        case let .leakyReLU(leaky): output = node("LeakyRelu", path, inputs: [input], attributes: [.init("alpha", float: leaky.slope)])
        case .tanh: output = node("Tanh", path, inputs: [input])
        case .sigmoid: output = node("Sigmoid", path, inputs: [input])
        case .flatten: output = node("Flatten", path, inputs: [input], attributes: [.init("axis", int: 1)])
        case let .dropout(dropout):
            let ratio = path + "/ratio"
            usedNames.insert(ratio)
            initializers.append(Onnx_TensorProto(name: ratio, float: Tensor(shape: [], repeating: dropout.probability)))
            output = node("Dropout", path, inputs: [input, ratio])
        case let .maxPool2D(pool):
            let (kernel, stride, padding) = (pool.kernelSize, pool.stride, pool.padding)
            output = node("MaxPool", path, inputs: [input], attributes: [
                .init("kernel_shape", ints: [kernel.height, kernel.width]), .init("strides", ints: [stride.height, stride.width]),
                .init("pads", ints: [padding.height, padding.width, padding.height, padding.width]), .init("ceil_mode", int: pool.ceilMode ? 1 : 0)])
        case let .avgPool2D(pool):
            let (kernel, stride, padding) = (pool.kernelSize, pool.stride, pool.padding)
            output = node("AveragePool", path, inputs: [input], attributes: [
                .init("kernel_shape", ints: [kernel.height, kernel.width]), .init("strides", ints: [stride.height, stride.width]),
                .init("pads", ints: [padding.height, padding.width, padding.height, padding.width]), .init("ceil_mode", int: pool.ceilMode ? 1 : 0),
                .init("count_include_pad", int: pool.countIncludePad ? 1 : 0)])
        case let .adaptiveAvgPool2D(pool):
            let size = pool.outputSize
            guard shape.count == 3 else { throw fail("adaptive pooling needs a [C, H, W] input, got \(shape.shapeDescription)") }
            if size == Pair(1, 1) {
                output = node("GlobalAveragePool", path, inputs: [input])
            } else {
                guard shape[1] % size.height == 0, shape[2] % size.width == 0 else {
                    throw fail("adaptive pooling from \(shape[1])x\(shape[2]) to \(size.height)x\(size.width) does not divide into equal windows, which no single ONNX operator computes; export it for an input whose maps there are a multiple of \(size.height)x\(size.width) (224x224 for AlexNet and the ImageNet VGGs)")
                }
                let k = Pair(shape[1] / size.height, shape[2] / size.width)
                output = node("AveragePool", path, inputs: [input], attributes: [
                    .init("kernel_shape", ints: [k.height, k.width]), .init("strides", ints: [k.height, k.width])])
            }
        case let .batchNorm2D(norm): output = try batchNormalization(path, input: input, momentum: norm.momentum, epsilon: norm.epsilon)
        case let .batchNorm1D(norm): output = try batchNormalization(path, input: input, momentum: norm.momentum, epsilon: norm.epsilon)
        case let .localResponseNorm(lrn):
            output = node("LRN", path, inputs: [input], attributes: [
                .init("size", int: lrn.size), .init("alpha", float: lrn.alpha), .init("beta", float: lrn.beta), .init("bias", float: lrn.k)])
        case let .sequential(sequence):
            output = input
            for layer in sequence.layers { output = try emit(layer, input: output, shape: &shape, prefix: path + "/") }
            return output
        case let .residual(block):
            let inputShape = shape
            var sum = input
            for layer in block.body { sum = try emit(layer, input: sum, shape: &shape, prefix: path + "/") }
            var side: String?
            switch block.shortcut {
            case .none: side = nil
            case .identity: side = input
            case let .zeroPadded(stride):
                // Option A: x[:, :, ::s, ::s], then the new channels as zeros, half before and half after.
                var x = input
                if stride > 1 {
                    x = node("Slice", path + "/shortcut_subsample", inputs: [
                        x, constant(path + "/shortcut_starts", int64: [0, 0]), constant(path + "/shortcut_ends", int64: [Int64.max, Int64.max]),
                        constant(path + "/shortcut_axes", int64: [2, 3]), constant(path + "/shortcut_steps", int64: [Int64(stride), Int64(stride)])])
                }
                let extra = shape[0] - inputShape[0]
                if extra > 0 {
                    let front = Int64(extra / 2), back = Int64(extra - extra / 2)
                    x = node("Pad", path + "/shortcut_pad", inputs: [x, constant(path + "/shortcut_pads", int64: [0, front, 0, 0, 0, back, 0, 0])])
                }
                side = x
            case let .projection(layers):
                var x = input, sideShape = inputShape
                for layer in layers { x = try emit(layer, input: x, shape: &sideShape, prefix: path + "/shortcut/") }
                side = x
            }
            if let side { sum = node("Add", path + "/add", inputs: [sum, side]) }
            if let activation = block.activation { sum = try emit(activation, input: sum, shape: &shape, prefix: path + "/") }
            return sum
        case let .channelConcat(concat):
            var x = input, bodyShape = shape
            for layer in concat.body { x = try emit(layer, input: x, shape: &bodyShape, prefix: path + "/") }
            shape = try spec.outputShapeWithoutWeights(for: shape)
            return node("Concat", path + "/concat", inputs: [input, x], attributes: [.init("axis", int: 1)])
        // A kind added to the engine is refused by name until a case here writes it (docs/adding-a-layer.md).
        @unknown default:
            throw fail("ONNX export does not write \(spec.kind) layers yet")
        }
        shape = try spec.outputShapeWithoutWeights(for: shape)
        return output
    }
}

extension LayerSpec {
    /// The output shape for one sample, computed without allocating the weights of convolutions and dense layers.
    func outputShapeWithoutWeights(for shape: [Int]) throws -> [Int] {
        switch self {
        case let .conv2D(conv):
            guard shape.count == 3, shape[0] == conv.inChannels else {
                throw ShapeError("Conv2D \"\(conv.name)\": expected input [\(conv.inChannels), H, W], got \(shape.shapeDescription)")
            }
            let (kernel, stride, dilation) = (conv.kernelSize, conv.stride, conv.dilation)
            let p = conv.padding.resolve(height: shape[1], width: shape[2], kernel: kernel, stride: stride, dilation: dilation)
            let h = (shape[1] + p.top + p.bottom - dilation.height * (kernel.height - 1) - 1) / stride.height + 1
            let w = (shape[2] + p.left + p.right - dilation.width * (kernel.width - 1) - 1) / stride.width + 1
            return [conv.outChannels, h, w]
        case let .dense(dense):
            guard shape == [dense.inFeatures] else {
                throw ShapeError("Dense \"\(dense.name)\": expected input [\(dense.inFeatures)], got \(shape.shapeDescription)")
            }
            return [dense.outFeatures]
        case let .sequential(sequence):
            return try sequence.layers.reduce(shape) { try $1.outputShapeWithoutWeights(for: $0) }
        case let .residual(block):
            return try block.body.reduce(shape) { try $1.outputShapeWithoutWeights(for: $0) }
        case let .channelConcat(concat):
            let g = try concat.body.reduce(shape) { try $1.outputShapeWithoutWeights(for: $0) }
            return [shape[0] + g[0]] + g.dropFirst()
        default:
            return try build().outputShape(for: shape)
        }
    }
}
