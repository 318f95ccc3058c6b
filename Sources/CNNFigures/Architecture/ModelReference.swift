// A model named on the command line: a zoo name or a model file, for figures drawn from a definition.

import CNNEngine
import CNNModels
import CNNStore
import Foundation

/// Resolves `MODEL|MODEL_FILE` arguments to a model definition.
public enum ModelReference {
    /// The spec of a zoo model, or the architecture stored in a model file when `nameOrPath` names a file.
    /// - Throws: an error naming the file when it cannot be read, or listing the zoo when the name is unknown.
    public static func spec(_ nameOrPath: String) throws -> ModelSpec {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory), !isDirectory.boolValue {
            let url = URL(fileURLWithPath: nameOrPath)
            let contents = ONNXFile.isONNXFile(url) ? try ModelFile.loadModel(from: url).contents : try ModelFile.read(from: url)
            return try contents.architecture(file: nameOrPath)
        }
        if nameOrPath.hasSuffix(".h5") || nameOrPath.hasSuffix(".onnx") || nameOrPath.contains("/") {
            throw ConfigurationError("\(nameOrPath): no such model file")
        }
        return try ModelZoo.spec(nameOrPath)
    }
}
