import ArgumentParser
import CNNFigures
import CNNRuns

/// `cnnviz equivariance MODEL_FILE`: an input, a shifted copy, and their feature maps (C5).
struct EquivarianceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "equivariance",
        abstract: "An input and a shifted copy with one layer's maps: the maps shift with the input (C5).")

    @Argument(help: "A model file (model.h5 from `cnnbench train`, or an ONNX file).")
    var modelFile: String

    @OptionGroup var input: InputOptions

    @Option(help: "Shift right and down in pixels, as DX,DY (negative moves left or up).")
    var shift = "3,2"

    @Option(help: "The layer compared (default: the first convolution).")
    var layer: String?

    @Option(help: "Channels drawn, separated by commas (default: the first 6).")
    var channels: String?

    @OptionGroup var output: OutputOptions

    /// The shift right and down.
    func parsedShift() throws -> (dx: Int, dy: Int) {
        let parts = shift.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let dx = parts[0], let dy = parts[1] else {
            throw ValidationError("--shift must be two whole numbers DX,DY such as 3,2; got \"\(shift)\"")
        }
        return (dx, dy)
    }

    func validate() throws {
        _ = try parsedShift()
        _ = try parseChannels(channels)
    }

    func run() throws {
        let model = try TrainedModel(contentsOf: modelFile)
        let figure = try EquivarianceFigure(model, input: try input.load(for: model), dx: try parsedShift().dx, dy: try parsedShift().dy, layer: layer,
                                            channels: try parseChannels(channels))
        try output.write(figure, defaultName: "C5-equivariance-\(model.contents.model)")
    }
}
