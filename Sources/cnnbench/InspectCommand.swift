import ArgumentParser
import CNNBench
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a model file holds: architecture, training history, best error, metadata.",
        discussion: "Example: cnnbench inspect runs/lenet5-mnist/model.h5")

    @Argument(help: "A model file.")
    var modelFile: String

    func run() throws {
        let url = URL(fileURLWithPath: modelFile)
        let contents = try ModelFile.readAny(from: url)
        let kind = ModelFile.isModelFile(url) ? "CNNBench model file, format version \(ModelFile.version)"
            : ONNXFile.isONNXFile(url) ? "ONNX model file" : "Keras model file"
        print("\(modelFile): \(kind)")
        if contents.architectureJSON.isEmpty {
            print("architecture: not rebuilt (\(contents.metadata["architecture_not_rebuilt"] ?? "unknown")); weights:")
            for (path, tensor) in contents.weights { print("  \(path) \(tensor.shape.shapeDescription)") }
        } else {
            let (spec, _, _) = try ModelFile.loadModel(from: url)
            print(try ModelSummary(spec).table, terminator: "")
        }
        let history = Checkpoint.records(from: contents.history)
        if let best = history.min(by: { $0.testError < $1.testError }) {
            print(String(format: "history: %d epochs; best test error %.2f%% (epoch %d); last %.2f%%", history.count,
                         best.testError * 100, best.epoch, (history.last?.testError ?? .nan) * 100))
        } else {
            print("history: none")
        }
        if let dataset = contents.dataset { print("data set: \(dataset.name), classes \(dataset.classNames.joined(separator: ", "))") }
        if let optimizer = contents.optimizer { print("optimizer: \(optimizer.kind), \(optimizer.stepCount) steps") }
        for (key, value) in contents.metadata.sorted(by: { $0.key < $1.key }) where key != DataSource.metadataKey { print("\(key): \(value)") }
    }
}
