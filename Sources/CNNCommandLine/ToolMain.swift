// What both command-line tools do around their subcommands: line-buffered standard output, the
// environment checked before any work, and an exit status that counts a failed write to standard output.
import ArgumentParser
import CNNEngine
import CSupport
import Foundation

extension ParsableCommand {
    /// Parses the command line and runs the chosen subcommand, then exits: non-zero when anything failed,
    /// writes to standard output included (a full disk leaves no empty file and status 0).
    ///
    /// Standard output is line-buffered even into a file or pipe, so logs show each epoch as it ends;
    /// a bad `CNNBENCH_ISA`, `CNNBENCH_DIRECT_CONV`, `CNNBENCH_WINOGRAD`, `CNNBENCH_TAP_GEMM` or `CNNBENCH_GEMM` is refused before any work, with the sentence that names it.
    public static func runAsTool() -> Never {
        cnn_line_buffered_stdout()
        do {
            _ = try InstructionSet.fromEnvironment()
            _ = try DirectConvolution.mode()
            _ = try Winograd.isEnabled()
            _ = try TapWeightGradient.isEnabled()
            _ = try GEMMBackend.asksForBLAS()
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exitAfterCheckingStandardOutput(error: error)
        }
        exitAfterCheckingStandardOutput(error: nil)
    }

    private static func exitAfterCheckingStandardOutput(error: Error?) -> Never {
        let failure = cnn_stdout_write_error()
        if failure != 0 {
            FileHandle.standardError.write(Data("error: cannot write to standard output: \(String(cString: strerror(failure)))\n".utf8))
            if error == nil { Foundation.exit(1) }
        }
        exit(withError: error)
    }
}
