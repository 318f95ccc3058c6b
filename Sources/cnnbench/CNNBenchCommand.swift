import ArgumentParser
import CSupport

@main
struct CNNBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnbench",
        abstract: "Train, time and report on convolutional networks with the CNNBench engine.",
        subcommands: [RunCommand.self, ReportCommand.self, TrainCommand.self, EvalCommand.self, InspectCommand.self, ActivationsCommand.self, ExportCommand.self, ModelsCommand.self, SummaryCommand.self, TimeCommand.self])

    /// Standard output is line-buffered even into a file or pipe, so logs show each epoch as it ends.
    static func main() {
        cnn_line_buffered_stdout()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
