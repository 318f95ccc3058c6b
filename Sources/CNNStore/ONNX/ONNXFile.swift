// ONNX model files (https://onnx.ai), read into and written from this toolkit's model-file contents.
//
// An ONNX file is one protobuf message, `ModelProto` (the generated `Onnx_ModelProto` of the
// ONNXProto target): a graph of nodes (Conv, Relu, ...) in topological order, the weights as
// `initializer` tensors, and named, shaped inputs and outputs. ONNXExport.swift writes the
// toolkit's networks as such graphs; ONNXImport.swift rebuilds graphs of the operators the engine
// has as networks, and keeps the weights alone of any other graph.
import CNNEngine
import Foundation
import ONNXProto
import SwiftProtobuf

/// Reading and writing ONNX model files.
public enum ONNXFile {
    /// The ONNX operator set the exporter writes (opset 13: ONNX 1.8, 2020; every runtime reads it).
    public static let exportOpset: Int64 = 13
    /// The IR version that goes with opset 13.
    public static let exportIRVersion: Int64 = 7
    /// The `producer_name` of files this toolkit writes.
    public static let producerName = "CNNBench"

    /// Whether `url` names an ONNX file: a `.onnx` name whose bytes are not HDF5.
    public static func isONNXFile(_ url: URL) -> Bool {
        guard url.pathExtension.lowercased() == "onnx" else { return false }
        guard let handle = try? FileHandle(forReadingFrom: url) else { return true }  // missing: let `read` say so
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        return head != Data([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])
    }

    /// Reads and parses an ONNX file.
    /// - Throws: `StoreError` naming the file when it is missing, empty, not a protobuf `ModelProto`, or has no graph.
    public static func readModel(from url: URL) throws -> Onnx_ModelProto {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(.fileNotFound, file: path, reason: "no such file") }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StoreError(.operationFailed, file: path, reason: "cannot be read: \(error.localizedDescription)")
        }
        guard !data.isEmpty else { throw StoreError(.corrupt, file: path, reason: "the file is empty, not an ONNX model") }
        let model: Onnx_ModelProto
        do { model = try Onnx_ModelProto(serializedBytes: data) } catch {
            throw StoreError(.corrupt, file: path, reason: "not an ONNX model: the protobuf message cannot be parsed (\(error)); the file may be truncated or of another kind")
        }
        guard model.hasGraph, !model.graph.node.isEmpty else {
            throw StoreError(.corrupt, file: path, reason: "not an ONNX model: it has no graph nodes (ir_version \(model.irVersion), \(data.count) bytes)")
        }
        return model
    }

    /// Writes `model` to `url` through the toolkit's one atomic writer (temporary file, fsync, rename).
    public static func write(_ model: Onnx_ModelProto, to url: URL) throws {
        let data: Data
        do { data = try model.serializedData() } catch {
            throw StoreError(.operationFailed, file: url.path, reason: "the ONNX model cannot be serialised: \(error)")
        }
        try HDF5File.writeFile(data, to: url)
    }

    /// Exports a model file's contents (this toolkit's, a Keras or an ONNX file's) as an ONNX file.
    /// - Throws: `StoreError` naming `url` for a model without an architecture or with a layer ONNX cannot express.
    public static func write(_ contents: ModelFileContents, to url: URL) throws {
        try write(try model(from: contents, file: url.path), to: url)
    }
}

// MARK: - Tensors

/// An ONNX tensor's values as the importer needs them: float32 weights or int64 attributes-as-inputs.
struct ONNXArray {
    var shape: [Int]
    var floats: [Float] = []
    var ints: [Int64] = []

    var count: Int { shape.reduce(1, *) }

    init(shape: [Int], floats: [Float] = [], ints: [Int64] = []) {
        self.shape = shape; self.floats = floats; self.ints = ints
    }

    /// Decodes float (1), double (11), int32 (6) and int64 (7) tensors, from typed fields or `raw_data`.
    init(_ t: Onnx_TensorProto, file: String) throws {
        shape = t.dims.map(Int.init)
        let n = shape.reduce(1, *)
        let raw = t.dataLocation == .external ? try Self.externalData(t, file: file) : t.rawData
        func rawValues<T>(_ type: T.Type) throws -> [T] {
            guard raw.count == n * MemoryLayout<T>.size else {
                throw StoreError(.corrupt, file: file, objectPath: t.name,
                                 reason: "tensor \(t.name) of shape \(shape.shapeDescription) has \(raw.count) bytes of data, needs \(n * MemoryLayout<T>.size)")
            }
            // ONNX stores raw data little-endian, as every platform Swift runs on.
            return [T](unsafeUninitializedCapacity: n) { buffer, count in
                if n > 0 { _ = raw.withUnsafeBytes { memcpy(buffer.baseAddress!, $0.baseAddress!, n * MemoryLayout<T>.size) } }
                count = n
            }
        }
        switch t.dataType {
        case Int32(Onnx_TensorProto.DataType.float.rawValue):
            floats = raw.isEmpty ? t.floatData : try rawValues(Float.self)
            guard floats.count == n else { throw Self.countError(t, floats.count, n, file) }
        case Int32(Onnx_TensorProto.DataType.double.rawValue):
            floats = (raw.isEmpty ? t.doubleData : try rawValues(Double.self)).map(Float.init)
            guard floats.count == n else { throw Self.countError(t, floats.count, n, file) }
        case Int32(Onnx_TensorProto.DataType.int64.rawValue):
            ints = raw.isEmpty ? t.int64Data : try rawValues(Int64.self)
            guard ints.count == n else { throw Self.countError(t, ints.count, n, file) }
        case Int32(Onnx_TensorProto.DataType.int32.rawValue):
            ints = (raw.isEmpty ? t.int32Data : try rawValues(Int32.self)).map(Int64.init)
            guard ints.count == n else { throw Self.countError(t, ints.count, n, file) }
        default:
            throw StoreError(.wrongType, file: file, objectPath: t.name,
                             reason: "tensor \(t.name) has ONNX data type \(t.dataType); only float32, float64, int32 and int64 tensors are read")
        }
    }

    /// The bytes of a tensor kept in a separate file (`torch.onnx.export`'s default for its newer exporter:
    /// `model.onnx.data` beside `model.onnx`), from its `location`, `offset` and `length`.
    private static func externalData(_ t: Onnx_TensorProto, file: String) throws -> Data {
        let entries = Dictionary(t.externalData.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let location = entries["location"], !location.isEmpty else {
            throw StoreError(.corrupt, file: file, objectPath: t.name, reason: "tensor \(t.name) is stored outside the file but names no location")
        }
        let url = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(location)
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw StoreError(.fileNotFound, file: file, objectPath: t.name,
                             reason: "tensor \(t.name) is stored in \(location), which is not beside the .onnx file (\(url.path)); copy both files together")
        }
        let offset = Int(entries["offset"] ?? "0") ?? 0
        let length = entries["length"].flatMap { Int($0) } ?? (data.count - offset)
        guard offset >= 0, length >= 0, offset + length <= data.count else {
            throw StoreError(.corrupt, file: file, objectPath: t.name,
                             reason: "tensor \(t.name) lies at bytes \(offset)..<\(offset + length) of \(location), which has \(data.count) bytes; the data file is truncated or belongs to another model")
        }
        return data.subdata(in: offset..<(offset + length))
    }

    private static func countError(_ t: Onnx_TensorProto, _ got: Int, _ n: Int, _ file: String) -> StoreError {
        StoreError(.corrupt, file: file, objectPath: t.name, reason: "tensor \(t.name) of shape \(t.dims.map(Int.init).shapeDescription) holds \(got) values, needs \(n)")
    }

    func tensor(file: String, name: String) throws -> Tensor {
        guard !floats.isEmpty || count == 0 else {
            throw StoreError(.wrongType, file: file, objectPath: name, reason: "tensor \(name) holds integers where weights were expected")
        }
        return try Tensor(shape: shape, values: floats)
    }
}

extension Onnx_TensorProto {
    /// A float32 initializer named `name` with the tensor's shape and values (little-endian raw data).
    init(name: String, float tensor: Tensor) {
        self.init()
        self.name = name
        dims = tensor.shape.map(Int64.init)
        dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var values = tensor.values
        rawData = values.withUnsafeMutableBytes { Data($0) }
    }

    /// An int64 initializer (shapes, pads, slice bounds).
    init(name: String, int64 values: [Int64], dims: [Int]) {
        self.init()
        self.name = name
        self.dims = dims.map(Int64.init)
        dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        int64Data = values
    }
}

extension Onnx_AttributeProto {
    init(_ name: String, ints: [Int]) {
        self.init(); self.name = name; type = .ints; self.ints = ints.map(Int64.init)
    }
    init(_ name: String, int: Int) {
        self.init(); self.name = name; type = .int; i = Int64(int)
    }
    init(_ name: String, float: Float) {
        self.init(); self.name = name; type = .float; f = float
    }
}

extension Onnx_NodeProto {
    /// The attribute named `name`, if the node has it.
    func attribute(_ name: String) -> Onnx_AttributeProto? { attribute.first { $0.name == name } }
    func ints(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map(Int.init) } }
    func int(_ name: String) -> Int? { attribute(name).map { Int($0.i) } }
    func float(_ name: String) -> Float? { attribute(name).map(\.f) }
    func string(_ name: String) -> String? { attribute(name).map { String(decoding: $0.s, as: UTF8.self) } }
}
