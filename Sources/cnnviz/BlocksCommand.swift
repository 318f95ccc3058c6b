import ArgumentParser
import CNNFigures

struct BlocksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocks",
        abstract: "D2: a residual block (x + g(x)) beside a dense block ([x, g(x)]), from the engine's definitions.",
        discussion: """
        The residual block is a real block of a zoo model; the dense block is --dense-layers DenseNet-BC \
        layers (each BN, ReLU, 1×1 conv to 4k channels, BN, ReLU, 3×3 conv to k channels), each reading \
        the concatenation of the block's input and every earlier layer's output and adding k channels.
        Examples: cnnviz blocks --out figures/D2-blocks.pdf
                  cnnviz blocks --model resnet18 --block layer2.0
        """)

    @Option(help: "The zoo model whose residual block is drawn.")
    var model = "resnet20"

    @Option(help: "The block's name (default: the model's first block with an identity shortcut).")
    var block: String?

    @Option(parsing: .unconditional, help: "Input channels of the dense block.")
    var denseChannels = 24

    @Option(parsing: .unconditional, help: "Layers of the dense block (1 to 4 fit the slide).")
    var denseLayers = 3

    @Option(parsing: .unconditional, help: "Growth rate k of the dense block (channels each layer adds).")
    var growthRate = 12

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if denseChannels < 1 { throw ValidationError("--dense-channels must be at least 1, got \(denseChannels)") }
        if !(1...4).contains(denseLayers) { throw ValidationError("--dense-layers must be from 1 to 4 (more do not fit the slide), got \(denseLayers)") }
        if growthRate < 1 { throw ValidationError("--growth-rate must be at least 1, got \(growthRate)") }
    }

    func run() throws {
        let figure = BlockComparisonFigure(
            residual: try BlockDiagram.residual(model: model, block: block),
            dense: try DenseBlockDiagram.denseNetBC(layers: denseLayers, inputChannels: denseChannels, growthRate: growthRate))
        try output.write(figure, defaultName: "D2-blocks")
    }
}
