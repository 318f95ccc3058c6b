import ArgumentParser
import CNNEngine
import CSupport
import Foundation

@main
struct CNNVizCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnviz",
        abstract: "Draw the lecture figures from stored models, activations and results (PNG, PDF or SVG).",
        discussion: "One subcommand per figure of the catalogue (../shared/FIGURES.md); none retrains a model.",
        subcommands: [
            // A. Convolution arithmetic; B. classic kernels
            ConvCommand.self, ShapesCommand.self, ParamsCommand.self, KernelsCommand.self, GaborCommand.self,
            // C. What networks learn
            TemplatesCommand.self, FiltersCommand.self, MapsCommand.self, TopCommand.self, EquivarianceCommand.self,
            // D. Architectures
            ArchCommand.self, BlocksCommand.self,
            // E. Training and depth
            CurvesCommand.self, ConfusionCommand.self, MistakesCommand.self, DepthCommand.self, ResultsCommand.self,
            // F. Data
            SamplesCommand.self, AugmentCommand.self,
        ])

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
