import ArgumentParser
import CNNFigures

struct ArchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arch",
        abstract: "D1: a network drawn as stacked feature maps (LeNet-5 style), from its definition.",
        discussion: """
        Works for any zoo model or model file; deep nets group repeated layers and blocks, and residual
        blocks show their shortcut as an arc.
        Examples: cnnviz arch lenet5-1998 --out figures/D1-lenet5.pdf
                  cnnviz arch resnet20
                  cnnviz arch runs/lenet5-mnist/model.h5
        """)

    @Argument(help: "A zoo model (see `cnnbench models`) or a model file (.h5).")
    var model: String

    @Option(parsing: .unconditional, help: "Group layers further when more stages than this remain.")
    var maxStages = 10

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if maxStages < 3 { throw ValidationError("--max-stages must be at least 3, got \(maxStages)") }
    }

    func run() throws {
        let figure = try ArchitectureFigure(spec: try ModelReference.spec(model), maximumStages: maxStages)
        try output.write(figure, defaultName: "D1-\(figure.diagram.model)")
    }
}
