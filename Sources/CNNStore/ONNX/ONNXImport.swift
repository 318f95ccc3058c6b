// ONNX graphs rebuilt as engine networks.
//
// The graph is walked from its input along the data edges. A chain of nodes becomes a list of
// layers; a value that feeds two nodes which meet again in one Add is a residual block (the longer
// branch its body; the other its shortcut: nothing, a Slice with steps and a channel Pad (option A),
// or layers (a projection)); a following Relu is the block's activation; a Concat of a value and a
// branch from it is a DenseNet connection. Weights must be constants (initializers or Constant
// nodes), as `torch.onnx.export` writes them.
//
// Names: the layer names come from the exporter's node names when they carry the module path
// (`/layer1/layer1.0/conv1/Conv` -> block `layer1.0`, layer `conv1`; PyTorch's own module names),
// else from the weights' names (`features.0.weight` -> `features.0`), else from the operator
// (`conv3`). Files written by this toolkit carry its layer paths as node names.
//
// A graph with any other operator, or a structure that is not a chain of such blocks, is not
// rebuilt: its convolution and dense weights are kept alone (enough for `cnnviz filters`), and
// the reason, naming the first unsupported operator, is kept for the error of anything that needs
// a forward pass.
import CNNEngine
import Foundation
import ONNXProto

extension ONNXFile {
    /// The ONNX operators that are rebuilt as engine layers (Constant, Identity, Slice and Pad as parts of them).
    public static let supportedOperators: [String] = [
        "Conv", "BatchNormalization", "Relu", "LeakyRelu", "Tanh", "Sigmoid", "MaxPool", "AveragePool", "GlobalAveragePool",
        "Gemm", "MatMul", "Add", "Flatten", "Reshape", "Dropout", "LRN", "Concat", "Softmax", "LogSoftmax", "ReduceMean",
        "Constant", "Identity", "Slice", "Pad",
    ]

    /// An ONNX file as this toolkit's model-file contents: the rebuilt architecture and its weights when the
    /// graph is made of supported operators, otherwise an empty architecture, the convolution and dense weights
    /// alone (`<layer>/weight`, `<layer>/bias`, PyTorch's layouts), and the reason in `architecture_not_rebuilt`.
    /// - Throws: `StoreError` naming the file when it is not an ONNX model or a weight cannot be decoded.
    public static func contents(of url: URL) throws -> ModelFileContents {
        let model = try readModel(from: url)
        var importer = try ONNXImporter(model: model, file: url.path)
        let plain = model.metadataProps.first { $0.key == "cnnbench.plain_blocks" }?.value
        importer.plainBlockNames = Set(plain.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [])
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 0
        let producer = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        var metadata = ["source": "ONNX file \(url.lastPathComponent) (\(producer.isEmpty ? "unknown producer" : producer), opset \(opset))"]
        let properties = Dictionary(model.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let name = properties["cnnbench.model"] ?? url.deletingPathExtension().lastPathComponent
        var dataset: DatasetRecord?
        if let setName = properties["cnnbench.dataset"] {
            func decode<T: Decodable>(_ key: String, _ type: T.Type) -> T? {
                properties[key].flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
            }
            dataset = DatasetRecord(name: setName, classNames: decode("cnnbench.class_names", [String].self) ?? [],
                                    normalizationMean: decode("cnnbench.normalization_mean", [Double].self) ?? [],
                                    normalizationStd: decode("cnnbench.normalization_std", [Double].self) ?? [])
        }
        do {
            let (spec, weights, buffers) = try importer.rebuild(name: name)
            if importer.droppedSoftmax { metadata["note"] = "the graph's final softmax is left out: outputs are logits" }
            let json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
            return ModelFileContents(model: name, architectureJSON: json, inputShape: spec.inputShape, classes: spec.classes,
                                     weights: weights, buffers: buffers, dataset: dataset, metadata: metadata)
        } catch let error as ONNXNotRebuilt {
            metadata["architecture_not_rebuilt"] = error.reason
            return ModelFileContents(model: name, architectureJSON: "", inputShape: [], classes: 0,
                                     weights: try importer.weightsOnly(), dataset: dataset, metadata: metadata)
        }
    }
}

/// Why a graph is not rebuilt as a network (its weights are still read).
struct ONNXNotRebuilt: Error { let reason: String }

/// One rebuilt layer (or block) before it is named: where its name comes from, how to make its spec, its arrays.
private struct ImportedLayer {
    /// Module-path components from the exporter's names (`["layer1", "0", "conv1"]`), or empty.
    var components: [String]
    /// The operator, for names when the exporter gave none (`conv3`).
    var opType: String
    var make: (String) -> LayerSpec
    /// Arrays relative to the layer (`weight`, `conv1/weight` for a block's child).
    var arrays: [(path: String, tensor: Tensor)]
    /// (in, out) of a dense layer still without bias, which a following Add of a constant can supply.
    var biasFreeDense: (inFeatures: Int, outFeatures: Int)?
}

/// What one node turns into.
private enum ImportedPiece {
    case layer(ImportedLayer)
    case skip
    /// Option A's x[:, :, ::s, ::s].
    case subsample(Int)
    /// Option A's zero channels.
    case padChannels(front: Int, back: Int)
    /// A constant added to the previous layer's output (MatMul + Add is a dense layer with bias).
    case addBias(Tensor, node: String)
}

struct ONNXImporter {
    let file: String
    let graph: Onnx_GraphProto
    /// Whether the file was written by this toolkit (node names are layer paths).
    let fromCNNBench: Bool
    var constants: [String: ONNXArray] = [:]
    /// Data edges: value name -> indices of the nodes that read it.
    var consumers: [String: [Int]] = [:]
    var droppedSoftmax = false
    /// Names of the blocks without shortcut in a file written by CNNBench (`cnnbench.plain_blocks`).
    var plainBlockNames = Set<String>()
    /// Nodes that only compute a Reshape's target shape (Shape, Gather, Unsqueeze, Concat, ...).
    var shapeNodes = Set<Int>()
    static let shapeOperators: Set<String> = ["Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice", "Mul", "Div", "ReduceProd", "Identity", "Constant"]

    init(model: Onnx_ModelProto, file: String) throws {
        self.file = file
        graph = model.graph
        fromCNNBench = model.producerName == ONNXFile.producerName
        for t in graph.initializer { constants[t.name] = try ONNXArray(t, file: file) }
        for node in graph.node where node.opType == "Constant" && !node.output.isEmpty {
            if let a = node.attribute("value"), a.hasT { constants[node.output[0]] = try ONNXArray(a.t, file: file) }
            else if let a = node.attribute("value_ints") { constants[node.output[0]] = ONNXArray(shape: [a.ints.count], ints: a.ints) }
            else if let a = node.attribute("value_int") { constants[node.output[0]] = ONNXArray(shape: [], ints: [a.i]) }
            else if let a = node.attribute("value_floats") { constants[node.output[0]] = ONNXArray(shape: [a.floats.count], floats: a.floats) }
            else if let a = node.attribute("value_float") { constants[node.output[0]] = ONNXArray(shape: [], floats: [a.f]) }
        }
        // PyTorch shares equal initializers through Identity nodes: their outputs are constants too.
        for node in graph.node where node.opType == "Identity" && node.input.count == 1 && !node.output.isEmpty {
            if let value = constants[node.input[0]] { constants[node.output[0]] = value }
        }
        // `x.view(x.size(0), -1)` computes the Reshape's target from the data's Shape: those nodes only compute a shape.
        var producer: [String: Int] = [:]
        for (i, node) in graph.node.enumerated() { for output in node.output { producer[output] = i } }
        var pending = graph.node.filter { $0.opType == "Reshape" && $0.input.count > 1 && constants[$0.input[1]] == nil }.compactMap { producer[$0.input[1]] }
        while let i = pending.popLast() {
            let node = graph.node[i]
            guard !shapeNodes.contains(i), Self.shapeOperators.contains(node.opType) else { continue }
            shapeNodes.insert(i)
            if node.opType != "Shape" { pending += node.input.compactMap { producer[$0] } }
        }
        for (i, node) in graph.node.enumerated() where node.opType != "Constant" && !shapeNodes.contains(i) && !(node.opType == "Identity" && constants[node.output.first ?? ""] != nil) {
            for input in Set(node.input) where !input.isEmpty && constants[input] == nil { consumers[input, default: []].append(i) }
        }
    }

    private func describe(_ i: Int) -> String {
        let node = graph.node[i]
        return node.name.isEmpty ? "\(node.opType) node \(i + 1)" : "\(node.opType) node \"\(node.name)\""
    }

    // MARK: Rebuilding

    /// The network's spec, weights and buffers.
    /// - Throws: `ONNXNotRebuilt` for an unsupported operator or structure; `StoreError` for a damaged file.
    mutating func rebuild(name: String) throws -> (ModelSpec, [(path: String, tensor: Tensor)], [(path: String, tensor: Tensor)]) {
        let supported = Set(ONNXFile.supportedOperators)
        for (i, node) in graph.node.enumerated() where !shapeNodes.contains(i) && (!(node.domain.isEmpty || node.domain == "ai.onnx") || !supported.contains(node.opType)) {
            let domain = node.domain.isEmpty || node.domain == "ai.onnx" ? "" : " (domain \(node.domain))"
            throw ONNXNotRebuilt(reason: "operator \(node.opType)\(domain), \(describe(i)), is not supported; CNNBench rebuilds graphs of Conv, BatchNormalization, Relu, LeakyRelu, Tanh, Sigmoid, MaxPool, AveragePool, GlobalAveragePool (or ReduceMean), Gemm, MatMul, Add, Flatten, Reshape, Dropout, LRN and Concat")
        }
        guard let input = graph.input.first(where: { constants[$0.name] == nil }) else {
            throw ONNXNotRebuilt(reason: "the graph has no input")
        }
        let dims = input.type.tensorType.shape.dim
        func hasValue(_ d: Onnx_TensorShapeProto.Dimension) -> Bool { if case .dimValue? = d.value { return true }; return false }
        guard dims.count >= 2, dims.dropFirst().allSatisfy({ hasValue($0) && $0.dimValue > 0 }) else {
            let shown = dims.map { hasValue($0) ? String($0.dimValue) : ($0.dimParam.isEmpty ? "?" : $0.dimParam) }
            throw ONNXNotRebuilt(reason: "the input \"\(input.name)\" has shape [\(shown.joined(separator: ", "))]; CNNBench needs fixed channels, height and width (export with a fixed-size example input and no dynamic axes but the batch)")
        }
        let inputShape = dims.dropFirst().map { Int($0.dimValue) }
        var rank = dims.count
        let (pieces, end, join) = try walk(from: input.name, rank: &rank)
        if let join { throw ONNXNotRebuilt(reason: "\(describe(join)) adds values that do not come from one fork; only residual blocks are rebuilt") }
        if !graph.output.contains(where: { $0.name == end }) && !droppedSoftmax {
            throw ONNXNotRebuilt(reason: "the walk from the input ends at \"\(end)\", which is not the graph's output")
        }
        let (layers, arrays) = try self.name(plainBlockNames.isEmpty ? pieces : try plainBlocks(pieces), strip: [])
        var spec = ModelSpec(name: name, inputShape: inputShape, classes: 0, layers: layers)
        do {
            let network = try spec.build()
            let out = try network.outputShape(for: inputShape)
            spec.classes = out.reduce(1, *)
        } catch {
            throw ONNXNotRebuilt(reason: "the rebuilt network does not fit together: \(error)")
        }
        let buffers = arrays.filter { $0.path.hasSuffix("/running_mean") || $0.path.hasSuffix("/running_var") }
        let weights = arrays.filter { !($0.path.hasSuffix("/running_mean") || $0.path.hasSuffix("/running_var")) }
        return (spec, weights, buffers)
    }

    /// A plain net's blocks, from this toolkit's files: consecutive top-level layers named `block/layer`, for a
    /// block listed in `cnnbench.plain_blocks`, become that block again (its last layer, an activation, the block's).
    private mutating func plainBlocks(_ pieces: [ImportedPiece]) throws -> [ImportedPiece] {
        var result: [ImportedPiece] = []
        var index = 0
        while index < pieces.count {
            guard case let .layer(first) = pieces[index], first.components.count == 2, plainBlockNames.contains(first.components[0]) else {
                result.append(pieces[index]); index += 1; continue
            }
            let block = first.components[0]
            var members: [ImportedLayer] = []
            while index < pieces.count, case let .layer(layer) = pieces[index], layer.components.count == 2, layer.components[0] == block {
                members.append(layer); index += 1
            }
            var activation: LayerSpec?
            if let last = members.last, ["Relu", "LeakyRelu", "Tanh", "Sigmoid"].contains(last.opType), members.count > 1 {
                activation = last.make(last.components[1])
                members.removeLast()
            }
            let (body, arrays) = try name(members.map { .layer($0) }, strip: [block])
            let act = activation
            result.append(.layer(ImportedLayer(components: [block], opType: "block",
                                               make: { .residual(name: $0, body: body, shortcut: .none, activation: act) }, arrays: arrays)))
        }
        return result
    }

    /// Whether node `i` joins two data values (a residual Add, a DenseNet Concat).
    private func isJoin(_ i: Int) -> Bool {
        let node = graph.node[i]
        return (node.opType == "Add" || node.opType == "Concat") && node.input.filter({ !$0.isEmpty && constants[$0] == nil }).count >= 2
    }

    /// Converts nodes from `start` along the data edges until the graph ends or a join; returns the pieces,
    /// the last value, and the join node reached.
    private mutating func walk(from start: String, rank: inout Int) throws -> (pieces: [ImportedPiece], end: String, join: Int?) {
        var pieces: [ImportedPiece] = []
        var value = start
        while true {
            let users = consumers[value] ?? []
            if users.isEmpty { return (pieces, value, nil) }
            if users.count == 1 {
                let i = users[0]
                if isJoin(i) { return (pieces, value, i) }
                let piece = try convert(i, rank: &rank)
                if case let .addBias(bias, node) = piece {
                    guard case var .layer(last)? = pieces.last, let dense = last.biasFreeDense, bias.count == dense.outFeatures else {
                        throw ONNXNotRebuilt(reason: "\(node) adds a constant that is not the bias of a MatMul before it; this is not supported")
                    }
                    let (inF, outF) = dense
                    last.make = { .dense(name: $0, inFeatures: inF, outFeatures: outF, bias: true) }
                    last.arrays.append(("bias", try Tensor(shape: [outF], values: bias.values)))
                    last.biasFreeDense = nil
                    pieces[pieces.count - 1] = .layer(last)
                } else {
                    pieces.append(piece)
                }
                value = graph.node[i].output[0]
            } else {
                let (block, end) = try fork(at: value, users: users, rank: &rank)
                pieces.append(.layer(block))
                value = end
            }
        }
    }

    /// A residual block or DenseNet connection starting where `value` feeds two nodes.
    private mutating func fork(at value: String, users: [Int], rank: inout Int) throws -> (ImportedLayer, String) {
        guard users.count == 2 else {
            throw ONNXNotRebuilt(reason: "the value \"\(value)\" feeds \(users.count) nodes; only two branches that meet in one Add (a residual block) or Concat are rebuilt")
        }
        var branches: [(pieces: [ImportedPiece], end: String)] = []
        var joins = Set<Int>()
        let rankBefore = rank
        for u in users {
            if isJoin(u) { branches.append(([], value)); joins.insert(u); continue }
            var r = rankBefore
            let first = try convert(u, rank: &r)
            let rest = try walk(from: graph.node[u].output[0], rank: &r)
            guard let join = rest.join else {
                throw ONNXNotRebuilt(reason: "the branch from \(describe(u)) does not meet the other branch in an Add or Concat")
            }
            joins.insert(join)
            rank = r
            branches.append(([first] + rest.pieces, rest.end))
        }
        guard joins.count == 1, let j = joins.first else {
            throw ONNXNotRebuilt(reason: "the two branches from \"\(value)\" end in different nodes; only residual blocks and DenseNet connections are rebuilt")
        }
        let join = graph.node[j]
        func layerCount(_ p: [ImportedPiece]) -> Int { p.filter { if case .layer = $0 { return true }; return false }.count }
        func isShortcutPart(_ p: ImportedPiece) -> Bool {
            switch p { case .subsample, .padChannels: return true; default: return false }
        }
        func isSkip(_ p: ImportedPiece) -> Bool { if case .skip = p { return true }; return false }
        // The body: the branch with layers but no option-A parts and more layers than the other.
        let bodyIndex: Int
        if branches[0].pieces.contains(where: isShortcutPart) && !branches[1].pieces.contains(where: isShortcutPart) { bodyIndex = 1 }
        else if branches[1].pieces.contains(where: isShortcutPart) && !branches[0].pieces.contains(where: isShortcutPart) { bodyIndex = 0 }
        else { bodyIndex = layerCount(branches[1].pieces) > layerCount(branches[0].pieces) ? 1 : 0 }
        let body = branches[bodyIndex]
        let side = (pieces: branches[1 - bodyIndex].pieces.filter { !isSkip($0) }, end: branches[1 - bodyIndex].end)

        var end = join.output[0]
        var activation: ImportedLayer?
        if let next = consumers[end], next.count == 1, ["Relu", "LeakyRelu", "Tanh", "Sigmoid"].contains(graph.node[next[0]].opType) {
            var r = rank
            if case let .layer(layer) = try convert(next[0], rank: &r) { activation = layer }
            end = graph.node[next[0]].output[0]
        }
        // The block's name: what the names of its nodes have in common.
        let allComponents = (body.pieces + side.pieces).compactMap { if case let .layer(l) = $0 { return l.components }; return nil }
            + [components(j)] + (activation.map { [$0.components] } ?? [])
        var prefix = allComponents.first ?? []
        for c in allComponents.dropFirst() {
            var k = 0
            while k < min(prefix.count, c.count) && prefix[k] == c[k] { k += 1 }
            prefix = Array(prefix.prefix(k))
        }
        let layerComponentCounts = (body.pieces + side.pieces).compactMap { if case let .layer(l) = $0 { return l.components.count }; return nil }
        if let shortest = layerComponentCounts.min(), prefix.count >= shortest { prefix = Array(prefix.prefix(max(0, shortest - 1))) }

        let (bodySpecs, bodyArrays) = try name(body.pieces, strip: prefix)
        var arrays = bodyArrays
        let make: (String) -> LayerSpec
        switch join.opType {
        case "Concat":
            guard (join.int("axis") ?? 0) == 1, side.pieces.isEmpty, join.input.first == value else {
                throw ONNXNotRebuilt(reason: "\(describe(j)) is not a concatenation of a value and a branch from it along the channels")
            }
            make = { .channelConcat(name: $0, body: bodySpecs) }
        default:
            let shortcut: ShortcutSpec
            if side.pieces.isEmpty {
                shortcut = .identity
            } else if side.pieces.allSatisfy(isShortcutPart) {
                var stride = 1
                for case let .subsample(s) in side.pieces { stride = s }
                shortcut = .zeroPadded(stride: stride)
            } else {
                // CNNBench names a projection's layers `block/shortcut/conv`; PyTorch `layer2.0.downsample.0`.
                let (sideSpecs, sideArrays) = try name(side.pieces, strip: fromCNNBench ? prefix + ["shortcut"] : prefix)
                shortcut = .projection(sideSpecs)
                arrays += sideArrays.map { ("shortcut/" + $0.path, $0.tensor) }
            }
            var activationSpec: LayerSpec?
            if var activation {
                var used = Set(bodySpecs.map(\.name))
                if case .projection = shortcut { used.insert("shortcut") }
                let (specs, _) = try name([.layer(strip(&activation, prefix))], strip: [], taken: used)
                activationSpec = specs.first
            }
            make = { .residual(name: $0, body: bodySpecs, shortcut: shortcut, activation: activationSpec) }
        }
        return (ImportedLayer(components: prefix, opType: "block", make: make, arrays: arrays), end)
    }

    private func strip(_ layer: inout ImportedLayer, _ prefix: [String]) -> ImportedLayer {
        if layer.components.starts(with: prefix) && layer.components.count > prefix.count { layer.components.removeFirst(prefix.count) }
        return layer
    }

    /// Names the layers of `pieces` (their components after `strip`, or their operator and a number),
    /// unique among themselves and `taken`; returns their specs and their arrays under those names.
    private mutating func name(_ pieces: [ImportedPiece], strip prefix: [String], taken: Set<String> = [])
        throws -> ([LayerSpec], [(path: String, tensor: Tensor)]) {
        var specs: [LayerSpec] = []
        var arrays: [(path: String, tensor: Tensor)] = []
        var used = taken
        for piece in pieces {
            switch piece {
            case .skip: continue
            case .subsample, .padChannels:
                throw ONNXNotRebuilt(reason: "a Slice or Pad outside a residual shortcut is not supported")
            case let .addBias(_, node):
                throw ONNXNotRebuilt(reason: "\(node) adds a constant that is not a bias; this is not supported")
            case let .layer(layer):
                var parts = layer.components
                if parts.starts(with: prefix) && parts.count > prefix.count { parts.removeFirst(prefix.count) }
                var base = parts.joined(separator: ".")
                if base.isEmpty { base = layer.opType.lowercased() }
                var candidate = base, k = 2
                while used.contains(candidate) { candidate = "\(base)_\(k)"; k += 1 }
                used.insert(candidate)
                specs.append(layer.make(candidate))
                arrays += layer.arrays.map { ("\(candidate)/\($0.path)", $0.tensor) }
            }
        }
        return (specs, arrays)
    }

    // MARK: Names from the exporter

    /// Module-path components for node `i` (see the file's header).
    func components(_ i: Int) -> [String] {
        let node = graph.node[i]
        if fromCNNBench { return node.name.split(separator: "/").map(String.init) }
        // TorchScript exporter: "/layer1/layer1.0/conv1/Conv", each scope the module's name, the last the operator.
        if node.name.hasPrefix("/") {
            var parts = node.name.split(separator: "/").map(String.init)
            parts.removeLast()
            return Self.modulePath(parts)
        }
        // Weights named after their module: "features.0.weight".
        for input in node.input.dropFirst() where input.hasSuffix(".weight") || input.hasSuffix(".bias") {
            return input.split(separator: ".").dropLast().map(String.init)
        }
        // The newer (dynamo) exporter: the module scopes in the node's metadata, the last one the operation's own name.
        if let scopes = node.metadataProps.first(where: { $0.key == "pkg.torch.onnx.name_scopes" })?.value {
            let names = scopes.split(whereSeparator: { "[]', \"".contains($0) }).map(String.init)
            if names.count > 1 { return Self.modulePath(Array(names.dropLast())) }
        }
        return []
    }

    /// A module's path from its scopes: a child of a container is scoped `<container>.<index>`, any other
    /// module by its attribute name, so `layer2 / layer2.0 / downsample / downsample.0` is `layer2.0.downsample.0`.
    static func modulePath(_ scopes: [String]) -> [String] {
        var path: [String] = []
        var previous = ""
        for scope in scopes where !scope.isEmpty {
            if !previous.isEmpty && scope.hasPrefix(previous + ".") { path.removeLast(previous.split(separator: ".").count) }
            path += scope.split(separator: ".").map(String.init)
            previous = scope
        }
        return path
    }

    // MARK: Nodes

    private func constant(_ i: Int, input k: Int, what: String) throws -> ONNXArray {
        let node = graph.node[i]
        guard k < node.input.count, !node.input[k].isEmpty, let value = constants[node.input[k]] else {
            throw ONNXNotRebuilt(reason: "\(describe(i)) takes its \(what) from the graph, not from a constant; only constant weights are supported")
        }
        return value
    }

    private func floats(_ array: ONNXArray, _ i: Int, what: String) throws -> Tensor {
        guard array.ints.isEmpty || array.count == 0 else {
            throw ONNXNotRebuilt(reason: "\(describe(i)) has integer \(what)")
        }
        return try Tensor(shape: array.shape, values: array.floats)
    }

    /// Symmetric (top, left) padding from ONNX pads [top, left, bottom, right], for pooling.
    private func symmetricPads(_ i: Int) throws -> Pair {
        let pads = graph.node[i].ints("pads") ?? [0, 0, 0, 0]
        guard pads.count == 4, pads[0] == pads[2], pads[1] == pads[3] else {
            throw ONNXNotRebuilt(reason: "\(describe(i)) has pads \(pads); only the same padding on both sides of each axis is supported for pooling")
        }
        return Pair(pads[0], pads[1])
    }

    private func checkAutoPad(_ i: Int) throws -> String {
        let autoPad = graph.node[i].string("auto_pad") ?? "NOTSET"
        guard ["NOTSET", "VALID", "SAME_UPPER", ""].contains(autoPad) else {
            throw ONNXNotRebuilt(reason: "\(describe(i)) has auto_pad \(autoPad), which is not supported")
        }
        return autoPad
    }

    private func pair(_ values: [Int]?, _ i: Int, _ what: String, default d: Int) throws -> Pair {
        guard let values else { return Pair(d, d) }
        guard values.count == 2 else { throw ONNXNotRebuilt(reason: "\(describe(i)) has \(what) \(values); only 2-D operators are supported") }
        return Pair(values[0], values[1])
    }

    /// One node as a layer; `rank` is the rank (with the batch) of its data input, updated to its output's.
    private mutating func convert(_ i: Int, rank: inout Int) throws -> ImportedPiece {
        let node = graph.node[i]
        func layer(_ make: @escaping (String) -> LayerSpec, _ arrays: [(path: String, tensor: Tensor)] = []) -> ImportedPiece {
            .layer(ImportedLayer(components: components(i), opType: node.opType, make: make, arrays: arrays))
        }
        func requireRank(_ r: Int, _ what: String) throws {
            guard rank == r else { throw ONNXNotRebuilt(reason: "\(describe(i)) gets a rank-\(rank) input; \(what)") }
        }
        switch node.opType {
        case "Conv":
            try requireRank(4, "only 2-D convolutions of [N, C, H, W] are supported")
            let w = try floats(try constant(i, input: 1, what: "weights"), i, what: "weights")
            guard w.shape.count == 4 else { throw ONNXNotRebuilt(reason: "\(describe(i)) has weights of shape \(w.shape.shapeDescription); only 2-D convolutions are supported") }
            let groups = node.int("group") ?? 1
            let stride = try pair(node.ints("strides"), i, "strides", default: 1)
            let dilation = try pair(node.ints("dilations"), i, "dilations", default: 1)
            let pads = node.ints("pads") ?? [0, 0, 0, 0]
            guard pads.count == 4 else { throw ONNXNotRebuilt(reason: "\(describe(i)) has pads \(pads); only 2-D convolutions are supported") }
            let padding: Padding
            switch try checkAutoPad(i) {
            case "SAME_UPPER": padding = .same
            case "VALID": padding = .valid
            default:
                if pads.allSatisfy({ $0 == 0 }) { padding = .valid }
                else if pads[0] == pads[2] && pads[1] == pads[3] { padding = .symmetric(Pair(pads[0], pads[1])) }
                else { padding = .explicit(top: pads[0], bottom: pads[2], left: pads[1], right: pads[3]) }
            }
            var arrays: [(path: String, tensor: Tensor)] = [("weight", w)]
            let hasBias = node.input.count > 2 && !node.input[2].isEmpty
            if hasBias { arrays.append(("bias", try floats(try constant(i, input: 2, what: "bias"), i, what: "bias"))) }
            let (outC, inC, kh, kw) = (w.shape[0], w.shape[1] * groups, w.shape[2], w.shape[3])
            return layer({ .conv2D(name: $0, inChannels: inC, outChannels: outC, kernelSize: Pair(kh, kw), stride: stride,
                                   padding: padding, dilation: dilation, groups: groups, bias: hasBias) }, arrays)
        case "BatchNormalization":
            let names = ["weight", "bias", "running_mean", "running_var"]
            let arrays = try names.enumerated().map { k, n in (n, try floats(try constant(i, input: k + 1, what: n), i, what: n)) }
            let features = arrays[0].1.count
            let epsilon = node.float("epsilon") ?? 1e-5, momentum = 1 - (node.float("momentum") ?? 0.9)
            switch rank {
            case 4: return layer({ .batchNorm2D(name: $0, features: features, momentum: momentum, epsilon: epsilon) }, arrays)
            case 2: return layer({ .batchNorm1D(name: $0, features: features, momentum: momentum, epsilon: epsilon) }, arrays)
            default: throw ONNXNotRebuilt(reason: "\(describe(i)) normalises a rank-\(rank) input; only [N, C, H, W] and [N, C] are supported")
            }
        case "Relu": return layer { .relu(name: $0) }
        case "Tanh": return layer { .tanh(name: $0) }
        case "Sigmoid": return layer { .sigmoid(name: $0) }
        case "LeakyRelu":
            let slope = node.float("alpha") ?? 0.01
            return layer { .leakyReLU(name: $0, slope: slope) }
        case "MaxPool", "AveragePool":
            try requireRank(4, "only 2-D pooling of [N, C, H, W] is supported")
            guard let kernelValues = node.ints("kernel_shape") else { throw ONNXNotRebuilt(reason: "\(describe(i)) has no kernel_shape") }
            let kernel = try pair(kernelValues, i, "kernel_shape", default: 1)
            let stride = try pair(node.ints("strides"), i, "strides", default: 1)
            guard (node.ints("dilations") ?? [1, 1]).allSatisfy({ $0 == 1 }) else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) has dilations; dilated pooling is not supported")
            }
            guard node.output.count == 1 || (consumers[node.output[1]] ?? []).isEmpty else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) returns its indices, which the engine does not compute")
            }
            let autoPad = try checkAutoPad(i)
            guard autoPad != "SAME_UPPER" else { throw ONNXNotRebuilt(reason: "\(describe(i)) has auto_pad SAME_UPPER, which is not supported for pooling") }
            let padding = try symmetricPads(i)
            let ceil = (node.int("ceil_mode") ?? 0) != 0
            if node.opType == "MaxPool" {
                return layer { .maxPool2D(name: $0, kernelSize: kernel, stride: stride, padding: padding, ceilMode: ceil) }
            }
            let include = (node.int("count_include_pad") ?? 0) != 0
            return layer { .avgPool2D(name: $0, kernelSize: kernel, stride: stride, padding: padding, ceilMode: ceil, countIncludePad: include) }
        case "ReduceMean":
            // The newer exporter's adaptive average pooling to 1x1: the mean over H and W.
            try requireRank(4, "only means over the height and width of [N, C, H, W] are supported")
            let axes = node.input.count > 1 && !node.input[1].isEmpty ? try constant(i, input: 1, what: "axes").ints.map(Int.init) : (node.ints("axes") ?? [])
            guard Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [2, 3] else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) averages over axes \(axes); only the mean over height and width is supported")
            }
            if (node.int("keepdims") ?? 1) == 0 {
                rank = 2
                return layer { .sequential(name: $0, layers: [.adaptiveAvgPool2D(name: "pool", outputSize: 1), .flatten(name: "flatten")]) }
            }
            return layer { .adaptiveAvgPool2D(name: $0, outputSize: 1) }
        case "GlobalAveragePool":
            try requireRank(4, "only [N, C, H, W] inputs are supported")
            return layer { .adaptiveAvgPool2D(name: $0, outputSize: 1) }
        case "Flatten":
            guard (node.int("axis") ?? 1) == 1 else { throw ONNXNotRebuilt(reason: "\(describe(i)) flattens from axis \(node.int("axis")!); only axis 1 is supported") }
            if rank == 2 { return .skip }
            rank = 2
            return layer { .flatten(name: $0) }
        case "Reshape":
            // A constant target, or one computed from the data's shape (its rank: the number of pieces concatenated).
            let targetRank: Int
            let target = node.input.count > 1 ? node.input[1] : ""
            if let shape = constants[target] {
                targetRank = shape.ints.count
            } else if let p = graph.node.firstIndex(where: { $0.output.contains(target) }), shapeNodes.contains(p), graph.node[p].opType == "Concat" {
                targetRank = graph.node[p].input.count
            } else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) reshapes to a shape computed in a way CNNBench does not follow; only flattening to [N, features] is supported")
            }
            guard targetRank == 2 else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) reshapes to rank \(targetRank); only flattening to [N, features] is supported")
            }
            if rank == 2 { return .skip }
            rank = 2
            return layer { .flatten(name: $0) }
        case "Gemm":
            try requireRank(2, "Gemm needs [N, features]")
            guard (node.int("transA") ?? 0) == 0 else { throw ONNXNotRebuilt(reason: "\(describe(i)) has transA = 1, which is not supported") }
            let b = try floats(try constant(i, input: 1, what: "weights"), i, what: "weights")
            guard b.shape.count == 2 else { throw ONNXNotRebuilt(reason: "\(describe(i)) has weights of shape \(b.shape.shapeDescription)") }
            var w = (node.int("transB") ?? 0) != 0 ? b : Self.transposed(b)
            let alpha = node.float("alpha") ?? 1, beta = node.float("beta") ?? 1
            if alpha != 1 { w = try Tensor(shape: w.shape, values: w.values.map { $0 * alpha }) }
            let (outF, inF) = (w.shape[0], w.shape[1])
            var arrays: [(path: String, tensor: Tensor)] = [("weight", w)]
            let hasBias = node.input.count > 2 && !node.input[2].isEmpty
            if hasBias {
                let c = try floats(try constant(i, input: 2, what: "bias"), i, what: "bias")
                guard c.count == outF else {
                    throw ONNXNotRebuilt(reason: "\(describe(i)) has a bias of shape \(c.shape.shapeDescription) for \(outF) outputs; only per-output biases are supported")
                }
                arrays.append(("bias", try Tensor(shape: [outF], values: c.values.map { $0 * beta })))
            }
            return layer({ .dense(name: $0, inFeatures: inF, outFeatures: outF, bias: hasBias) }, arrays)
        case "MatMul":
            try requireRank(2, "MatMul is rebuilt only as a dense layer on [N, features]")
            let b = try floats(try constant(i, input: 1, what: "weights"), i, what: "weights")
            guard b.shape.count == 2, node.input[0] != node.input[1] else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) is not a product with a constant [in, out] matrix")
            }
            let w = Self.transposed(b)
            let (outF, inF) = (w.shape[0], w.shape[1])
            var piece = ImportedLayer(components: components(i), opType: "dense", make: { .dense(name: $0, inFeatures: inF, outFeatures: outF, bias: false) },
                                      arrays: [("weight", w)])
            piece.biasFreeDense = (inF, outF)
            return .layer(piece)
        case "Add":
            let k = node.input.firstIndex { constants[$0] != nil } ?? 1
            return .addBias(try floats(try constant(i, input: k, what: "addend"), i, what: "addend"), node: describe(i))
        case "Dropout":
            var ratio = node.float("ratio") ?? 0.5
            if node.input.count > 1, !node.input[1].isEmpty, let r = constants[node.input[1]], let v = r.floats.first { ratio = v }
            let p = ratio
            return layer { .dropout(name: $0, probability: p) }
        case "LRN":
            guard let size = node.int("size") else { throw ONNXNotRebuilt(reason: "\(describe(i)) has no size") }
            let alpha = node.float("alpha") ?? 1e-4, beta = node.float("beta") ?? 0.75, k = node.float("bias") ?? 1
            return layer { .localResponseNorm(name: $0, size: size, alpha: alpha, beta: beta, k: k) }
        case "Identity":
            return .skip
        case "Softmax", "LogSoftmax":
            guard (consumers[node.output[0]] ?? []).isEmpty, graph.output.contains(where: { $0.name == node.output[0] }) else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) is not the graph's last node; a softmax is left out only at the end (the engine's outputs are logits)")
            }
            droppedSoftmax = true
            return .skip
        case "Slice":
            let starts = try constant(i, input: 1, what: "starts").ints
            let axes = node.input.count > 3 && !node.input[3].isEmpty ? try constant(i, input: 3, what: "axes").ints : Array(0..<Int64(starts.count))
            let steps = node.input.count > 4 && !node.input[4].isEmpty ? try constant(i, input: 4, what: "steps").ints : starts.map { _ in 1 }
            let normalized = Set(axes.map { $0 < 0 ? $0 + Int64(rank) : $0 })
            guard rank == 4, normalized == [2, 3], starts.allSatisfy({ $0 == 0 }), Set(steps).count == 1, let step = steps.first, step >= 1 else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) is not a subsampling x[:, :, ::s, ::s]; other slices are not supported")
            }
            return .subsample(Int(step))
        case "Pad":
            let pads = node.input.count > 1 && !node.input[1].isEmpty ? try constant(i, input: 1, what: "pads").ints.map(Int.init) : (node.ints("pads") ?? [])
            let mode = node.string("mode") ?? "constant"
            var value: Float = 0
            if node.input.count > 2, !node.input[2].isEmpty, let v = constants[node.input[2]]?.floats.first { value = v }
            guard rank == 4, pads.count == 8, mode == "constant", value == 0,
                  [0, 2, 3, 4, 6, 7].allSatisfy({ pads[$0] == 0 }) else {
                throw ONNXNotRebuilt(reason: "\(describe(i)) pads \(pads) (\(mode)); only zero channels (option A shortcuts) are supported")
            }
            return .padChannels(front: pads[1], back: pads[5])
        default:
            throw ONNXNotRebuilt(reason: "operator \(node.opType), \(describe(i)), is not supported where it stands")
        }
    }

    static func transposed(_ t: Tensor) -> Tensor {
        let (r, c) = (t.shape[0], t.shape[1])
        let out = Tensor(shape: [c, r])
        for i in 0..<r { for j in 0..<c { out[j, i] = t[i, j] } }
        return out
    }

    // MARK: Weights only

    /// The convolution and dense weights of every Conv, Gemm and MatMul node with constant weights, named
    /// like the rebuilt layers would be, in PyTorch's layouts.
    mutating func weightsOnly() throws -> [(path: String, tensor: Tensor)] {
        var result: [(path: String, tensor: Tensor)] = []
        var used = Set<String>()
        var counts: [String: Int] = [:]
        for (i, node) in graph.node.enumerated() where ["Conv", "Gemm", "MatMul"].contains(node.opType) {
            guard node.input.count > 1, let w = constants[node.input[1]], !w.floats.isEmpty else { continue }
            var weight = try w.tensor(file: file, name: node.input[1])
            if node.opType == "MatMul" || (node.opType == "Gemm" && (node.int("transB") ?? 0) == 0), weight.shape.count == 2 {
                weight = Self.transposed(weight)
            }
            var base = components(i).joined(separator: ".")
            if base.isEmpty {
                let kind = node.opType == "Conv" ? "conv" : "dense"
                counts[kind, default: 0] += 1
                base = "\(kind)\(counts[kind]!)"
            }
            var name = base, k = 2
            while used.contains(name) { name = "\(base)_\(k)"; k += 1 }
            used.insert(name)
            result.append(("\(name)/weight", weight))
            if node.opType != "MatMul", node.input.count > 2, let b = constants[node.input[2]], !b.floats.isEmpty {
                result.append(("\(name)/bias", try b.tensor(file: file, name: node.input[2])))
            }
        }
        return result
    }
}
