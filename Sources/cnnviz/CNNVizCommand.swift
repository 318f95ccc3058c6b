import ArgumentParser

@main
struct CNNVizCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnviz",
        abstract: "Draw the lecture figures from stored models, activations and results (PNG, PDF or SVG).",
        subcommands: [ArchCommand.self, BlocksCommand.self, CurvesCommand.self, ConfusionCommand.self, MistakesCommand.self, DepthCommand.self, ResultsCommand.self, SamplesCommand.self, AugmentCommand.self])
}
