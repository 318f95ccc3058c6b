import ArgumentParser
import CNNFigures

/// `cnnviz filters MODEL_FILE`: every filter of a convolution (C2).
struct FiltersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters",
        abstract: "Every filter of a convolution as a grid of small images (C2).",
        discussion: """
            RGB for filters over three input channels, a diverging map (blue < 0 < red, zero white) for one; \
            deeper layers one image per (filter, input channel) slice (--slices) or each filter's mean over its \
            input channels (--mean). Each filter is scaled by itself unless --common-scale.
            """)

    @Argument(help: "A model file (model.h5 from `cnnbench train`, a Keras .h5 or any ONNX file with a Conv).")
    var modelFile: String

    @Option(help: "The convolution to draw (default: the first).")
    var layer: String?

    @Flag(help: "One scale for all filters, so they compare directly.")
    var commonScale = false

    @Flag(help: "One image per (filter, input channel) slice.")
    var slices = false

    @Flag(help: "One image per filter: its mean over the input channels.")
    var mean = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if slices && mean { throw ValidationError("give --slices or --mean, not both") }
    }

    func run() throws {
        let convolutions = try ModelConvolutions.read(modelFile)
        let weights = try convolutions.layer(layer, file: modelFile)
        let figure = try FilterGrid(model: convolutions.model, weights: weights,
                                    mode: slices ? .slices : mean ? .mean : nil, commonScale: commonScale,
                                    isFirstLayer: weights.layer == convolutions.layers.first?.layer, provenance: convolutions.provenance)
        try output.write(figure, defaultName: "C2-filters-\(weights.layer.replacingOccurrences(of: "/", with: "_"))")
    }
}
