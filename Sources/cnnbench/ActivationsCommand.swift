import ArgumentParser
import CNNBench
import CNNData
import CNNRuns
import Foundation

struct ActivationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations",
        abstract: "Store the outputs of a model's layers for one input in an HDF5 file (datasets named after the layers).",
        discussion: """
        Examples: cnnbench activations runs/lenet5-mnist/model.h5 --index 0 --out acts.h5
                  cnnbench activations runs/lenet5-mnist/model.h5 --image digit.png --layers C1,C3 --out acts.h5
        """)

    @Argument(help: "A model file (CNNBench, Keras Sequential or ONNX).")
    var modelFile: String

    @Option(help: "A PNG of the model's input size (one up to 8 pixels smaller is centred on a black canvas, as training pads MNIST).")
    var image: String?

    @Option(help: "Data set for --index: mnist, fashion-mnist, cifar10 or a folder (default: the one the model was trained on).")
    var dataset: String?

    @Option(help: "Where the data set's files are.")
    var dataDir: String?

    @Option(parsing: .unconditional, help: "Test image index (when no --image is given).")
    var index = 0

    @Option(help: "Comma-separated layer names (default: every layer).")
    var layers: String?

    @Option(help: "Output HDF5 file.")
    var out = "activations.h5"

    @OptionGroup var threads: ThreadOptions

    func validate() throws {
        do { try checkNotAnInput(out, option: "--out", arguments: CommandLine.arguments, explicit: true) } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        threads.apply()
        let model = try TrainedModel(contentsOf: modelFile)
        let input = try image.map { try InputImage.png($0, for: model) }
            ?? InputImage.testImage(index, of: try model.testSet(name: dataset, directory: dataDir), for: model)
        let names = layers?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        let recorded = try ActivationRecorder.record(model.network, input: input.tensor(model.normalization), layers: names)
        try ActivationRecorder.write(recorded, model: model.spec.name, source: input.source, to: URL(fileURLWithPath: out))
        for (name, tensor) in recorded { print("\(name) \(tensor.shape.shapeDescription)") }
        print("wrote \(out)")
    }
}
