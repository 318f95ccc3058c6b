// PyTorch reference cases (Tests/CNNEngineTests/Fixtures/layer_reference.h5, made by make_reference.py).
import CNNEngine
import CNNStore
import Foundation

/// One layer test case computed by PyTorch: tensors by name and the case's hyperparameters.
public struct ReferenceCase: Sendable {
    public var name: String
    public var op: String
    public var tensors: [String: Tensor]
    public var integers: [String: [Int]]
    public var reals: [String: Double]
    public var targets: [Int32]

    /// The tensor named `key` (x, w, b, y, dy, dx, dw, db, running_mean, ...).
    public func tensor(_ key: String) -> Tensor {
        guard let t = tensors[key] else { preconditionFailure("reference case \(name) has no \(key)") }
        return t
    }

    /// A [h, w] hyperparameter as a Pair.
    public func pair(_ key: String) -> Pair {
        let v = integers[key] ?? [0, 0]
        return v.count == 2 ? Pair(v[0], v[1]) : Pair(v[0], v[0])
    }

    public func integer(_ key: String) -> Int { integers[key]?.first ?? 0 }
}

/// Reads every case of the PyTorch reference file.
public func loadReferenceCases(from url: URL) throws -> [ReferenceCase] {
    let file = try HDF5File(opening: url)
    defer { try? file.close() }
    var cases: [ReferenceCase] = []
    for name in try file.childNames() {
        let group = try file.group(name)
        var c = ReferenceCase(name: name, op: try group.stringAttribute("op"), tensors: [:], integers: [:], reals: [:], targets: [])
        for key in try group.childNames() {
            if key == "target" {
                c.targets = try group.read(Int64.self, at: key).values.map { Int32($0) }
            } else {
                c.tensors[key] = try group.readTensor(at: key)
            }
        }
        for attribute in try group.attributeNames() where attribute != "op" && attribute != "description" && attribute != "reduction" {
            if let ints = try? group.int64ArrayAttribute(attribute) {
                c.integers[attribute] = ints.map(Int.init)
            } else if let real = try? group.doubleAttribute(attribute) {
                c.reals[attribute] = real
            }
        }
        cases.append(c)
    }
    return cases
}

/// The repository's root, found from a source file's path.
public func repositoryRoot(from filePath: String = #filePath) -> URL {
    var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        url.deleteLastPathComponent()
    }
    return url
}
