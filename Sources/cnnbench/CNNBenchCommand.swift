import ArgumentParser
import CNNCommandLine

@main
struct CNNBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnbench",
        abstract: "Train, time and report on convolutional networks with the CNNBench engine.",
        subcommands: [RunCommand.self, SlurmCommand.self, ReportCommand.self, TrainCommand.self, SparseFiltersCommand.self, EvalCommand.self, InspectCommand.self, ActivationsCommand.self, ExportCommand.self, ModelsCommand.self, SummaryCommand.self, TimeCommand.self])

    static func main() { runAsTool() }
}
