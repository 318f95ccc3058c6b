import ArgumentParser
import CNNEngine
import CSupport
import Foundation

@main
struct CNNBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnbench",
        abstract: "Train, time and report on convolutional networks with the CNNBench engine.",
        subcommands: [RunCommand.self, SlurmCommand.self, ReportCommand.self, TrainCommand.self, EvalCommand.self, InspectCommand.self, ActivationsCommand.self, ExportCommand.self, ModelsCommand.self, SummaryCommand.self, TimeCommand.self])

    /// Standard output is line-buffered even into a file or pipe, so logs show each epoch as it ends.
    static func main() {
        cnn_line_buffered_stdout()
        do {
            // A bad CNNBENCH_ISA is refused before any work, with the sentence that names it.
            _ = try InstructionSet.fromEnvironment()
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exitAfterCheckingStandardOutput(error: error)
        }
        exitAfterCheckingStandardOutput(error: nil)
    }

    /// Exits non-zero when anything failed, writes to standard output included (a full disk leaves no empty file and status 0).
    static func exitAfterCheckingStandardOutput(error: Error?) -> Never {
        let failure = cnn_stdout_write_error()
        if failure != 0 {
            FileHandle.standardError.write(Data("error: cannot write to standard output: \(String(cString: strerror(failure)))\n".utf8))
            if error == nil { Foundation.exit(1) }
        }
        Self.exit(withError: error)
    }
}
