import ArgumentParser
import CNNData
import CNNEngine
import CNNModels
import CNNStore
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model as an ONNX file (for Netron, PyTorch, ONNX Runtime) or a Keras .h5 file.",
        discussion: """
        MODEL is a model file (CNNBench, Keras or ONNX) or a zoo name, exported with freshly initialised weights.
        Examples: cnnbench export runs/lenet5-mnist/model.h5 --format onnx -o lenet5.onnx
                  cnnbench export resnet20 --seed 1 -o resnet20.onnx
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx
        case kerasH5 = "keras-h5"
    }

    @Argument(help: "A model file, or a zoo model (see `cnnbench models`).")
    var model: String

    @Option(help: "onnx (opset 13), or keras-h5 (Keras 2's model.save layout; Sequential models of convolutions, pooling, dense layers, dropout, activations and batch norm).")
    var format: Format = .onnx

    @Option(name: [.short, .customLong("out")], help: "Output file (default: the model's name with .onnx or .h5).")
    var out: String?

    @Option(help: "For a zoo model: input shape CxHxW (default: the model's own).")
    var input: String?

    @Option(help: "For a zoo model: number of classes (default: the model's own).")
    var classes: Int?

    @Option(help: "For a zoo model: the seed of its initial weights.")
    var seed: UInt64 = 0

    func validate() throws {
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1, got \(classes)") }
        if let input { _ = try parseShape(input, option: "--input") }
    }

    func run() throws {
        let contents: ModelFileContents
        if FileManager.default.fileExists(atPath: model) {
            guard input == nil, classes == nil else {
                throw ConfigurationError("--input and --classes are for zoo models; \(model) is a file with its own architecture")
            }
            contents = try ModelFile.readAny(from: URL(fileURLWithPath: model))
        } else if model.hasSuffix(".h5") || model.hasSuffix(".onnx") || model.contains("/") {
            throw ConfigurationError("\(model): no such model file")
        } else {
            let spec = try ModelZoo.spec(model, classes: classes, input: try input.map { try parseShape($0, option: "--input") })
            contents = try ModelFile.initialContents(of: spec, seed: seed)
        }
        let base = URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
        let path = out ?? base + (format == .onnx ? ".onnx" : "-keras.h5")
        // The input, and any CNNBench model file (trained for hours, perhaps), are never written over.
        try checkNotAnInput(path, option: "--out", arguments: CommandLine.arguments, explicit: out != nil)
        if ModelFile.isModelFile(URL(fileURLWithPath: path)) {
            throw ConfigurationError("--out \(path) is a CNNBench model file; it is never written over: choose another --out")
        }
        switch format {
        case .onnx:
            try ONNXFile.write(contents, to: URL(fileURLWithPath: path))
            print("wrote \(path) (ONNX opset \(ONNXFile.exportOpset), input [N, \(contents.inputShape.map(String.init).joined(separator: ", "))], output [N, \(contents.classes)])")
        case .kerasH5:
            try KerasFile.write(contents, to: URL(fileURLWithPath: path))
            print("wrote \(path) (Keras 2 layout, channels last)")
        }
    }
}
