import Foundation
import Testing
import _TestSupport

/// The command lines as users see them: help lists the subcommands, mistakes give one clear sentence.
@Suite("Command lines")
struct CLITests {
    /// Runs a built executable of this package (the one `swift test` built beside the tests).
    func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let root = repositoryRoot()
        let candidates = [".build/debug/\(tool)", ".build/release/\(tool)"].map { root.appendingPathComponent($0).path }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("\(tool) is not built (looked in \(candidates))")
            return (-1, "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = root
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func cnnbenchHelpListsItsSubcommands() throws {
        let (status, output) = try run("cnnbench", ["--help"])
        #expect(status == 0)
        for sub in ["run", "slurm", "report", "train", "eval", "inspect", "activations", "models", "summary", "time"] {
            #expect(output.contains("\n  \(sub) "), "cnnbench --help does not list \(sub)")
        }
    }

    @Test func cnnvizHelpListsASubcommandPerCatalogueGroup() throws {
        let (status, output) = try run("cnnviz", ["--help"])
        #expect(status == 0)
        for sub in ["conv", "shapes", "params", "kernels", "gabor", "templates", "filters", "maps", "top", "equivariance",
                    "arch", "blocks", "curves", "confusion", "mistakes", "depth", "results", "samples", "augment"] {
            #expect(output.contains("\n  \(sub) "), "cnnviz --help does not list \(sub)")
        }
    }

    @Test func mistakesGiveOneClearSentence() throws {
        let model = try run("cnnbench", ["summary", "lenet6"])
        #expect(model.status != 0)
        #expect(model.output.contains("unknown model \"lenet6\"; known models: logreg, mlp, lenet5"))

        let shape = try run("cnnbench", ["summary", "lenet5", "--input", "28by28"])
        #expect(shape.status != 0 && shape.output.contains("--input must look like 3x32x32"))

        let missing = try run("cnnbench", ["inspect", "no/such/model.h5"])
        #expect(missing.status != 0 && missing.output.contains("no/such/model.h5"))

        let shard = try run("cnnbench", ["run", "quick", "--shard", "3/2"])
        #expect(shard.status != 0 && shard.output.contains("--shard: shard 3 of 2 does not exist: shards are numbered 1 to 2"))

        let steps = try run("cnnbench", ["run", "quick", "--shard", "1/2", "--collect"])
        #expect(steps.status != 0 && steps.output.contains("--shard, --collect and --status are separate steps"))

        let time = try run("cnnbench", ["slurm", "quick", "--time", "soon"])
        #expect(time.status != 0 && time.output.contains("--time must be a Slurm time such as 30:00"))

        let micro = try run("cnnbench", ["train", "lenet5", "--micro-batches", "4"])
        #expect(micro.status != 0 && micro.output.contains("--micro-batches goes with --distributed"))

        // Under mpirun, a build without the MPI trait says so instead of training P copies alone.
        #if !MPI
        let mpi = try run("cnnbench", ["train", "lenet5", "--distributed", "--out", "/nonexistent/x"], environment: ["OMPI_COMM_WORLD_SIZE": "2"])
        #expect(mpi.status != 0 && mpi.output.contains("this cnnbench was built without MPI, so its 2 copies cannot share batches"))
        #endif

        let suite = try run("cnnbench", ["run", "no-such-suite"])
        #expect(suite.status != 0 && suite.output.contains("no such suite file"))

        let threads = try run("cnnbench", ["time", "lenet5", "--threads", "0"])
        #expect(threads.status != 0 && threads.output.contains("--threads must be positive integers"))

        let out = try run("cnnviz", ["shapes", "--out", "figure.gif"])
        #expect(out.status != 0 && out.output.contains("--out must end in .png, .pdf or .svg"))
    }

    @Test func summaryJSONHasTotals() throws {
        let (status, output) = try run("cnnbench", ["summary", "resnet20", "--json"])
        #expect(status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        #expect(object?["parameters"] as? Int == 269_722)
        #expect(object?["macs"] as? Int == 40_551_040)
    }
}
