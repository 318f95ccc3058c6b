import ArgumentParser
import CNNFigures
import CNNRuns

/// `cnnviz maps MODEL_FILE`: one input's feature maps at every convolution and pooling layer (C3).
struct MapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maps",
        abstract: "One input's feature maps at every convolution and pooling layer, layer by layer (C3).",
        discussion: """
            The input is normalised as the model's training data was (the model file's normalisation). A PNG must \
            have the model's input size; one up to 8 pixels smaller is centred on a black canvas, as training pads \
            MNIST for a 32x32 LeNet-5.
            """)

    @Argument(help: "A model file (model.h5 from `cnnbench train`, or an ONNX file).")
    var modelFile: String

    @OptionGroup var input: InputOptions

    @Option(parsing: .unconditional, help: "Channels drawn per layer at most.")
    var maxChannels = 32

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if maxChannels < 1 { throw ValidationError("--max-channels must be at least 1, got \(maxChannels)") }
    }

    func run() throws {
        let model = try TrainedModel(contentsOf: modelFile)
        let figure = try FeatureMapsFigure(model, input: try input.load(for: model), maximumChannels: maxChannels)
        try output.write(figure, defaultName: "C3-maps-\(model.contents.model)")
    }
}
