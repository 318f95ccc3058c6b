import ArgumentParser
import CNNCommandLine

@main
struct CNNVizCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnviz",
        abstract: "Draw the lecture figures from stored models, activations and results (PNG, PDF or SVG).",
        discussion: "One subcommand per figure of the catalogue (docs/figures/README.md); none retrains a model.",
        subcommands: [
            // A. Convolution arithmetic; B. classic kernels
            ConvCommand.self, ShapesCommand.self, ParamsCommand.self, KernelsCommand.self, GaborCommand.self,
            // C. What networks learn
            TemplatesCommand.self, FiltersCommand.self, MapsCommand.self, TopCommand.self, EquivarianceCommand.self,
            SaliencyCommand.self, EmbeddingCommand.self,
            // D. Architectures
            ArchCommand.self, BlocksCommand.self,
            // E. Training and depth
            CurvesCommand.self, ConfusionCommand.self, MistakesCommand.self, DepthCommand.self, ResultsCommand.self, HealthCommand.self,
            // F. Data
            SamplesCommand.self, AugmentCommand.self,
        ])

    static func main() { runAsTool() }
}
