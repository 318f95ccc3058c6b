import Foundation
import Testing
import _TestSupport

/// The command lines as users see them: help lists the subcommands, mistakes give one clear sentence.
@Suite("Command lines")
struct CLITests {
    /// Runs a built executable of this package (the one `swift test` built beside the tests).
    func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
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
        for sub in ["run", "report", "train", "eval", "inspect", "activations", "export", "models", "summary", "time"] {
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

    @Test func exportedONNXIsInspectedAndItsFiltersDrawn() throws {
        let folder = try temporaryFolder("cli-onnx")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("lenet5.onnx").path
        let export = try run("cnnbench", ["export", "lenet5", "--seed", "2", "-o", onnx])
        #expect(export.status == 0)
        #expect(export.output.contains("wrote \(onnx) (ONNX opset 13, input [N, 1, 28, 28], output [N, 10])"))

        let inspect = try run("cnnbench", ["inspect", onnx])
        #expect(inspect.status == 0 && inspect.output.contains("ONNX model file") && inspect.output.contains("C1  "))

        let png = folder.appendingPathComponent("c2.png").path
        let filters = try run("cnnviz", ["filters", onnx, "--layer", "C3", "--out", png])
        #expect(filters.status == 0, "\(filters.output)")
        #expect(pngSize(atPath: png) != nil)

        let arch = try run("cnnviz", ["arch", onnx, "--out", folder.appendingPathComponent("d1.png").path])
        #expect(arch.status == 0, "\(arch.output)")

        // A graph the engine cannot run still gives its filters; what needs a forward pass names the operator.
        let unsupported = repositoryRoot().appendingPathComponent("Tests/CNNStoreTests/Fixtures/onnx/unsupported.onnx").path
        let weights = try run("cnnviz", ["filters", unsupported, "--out", folder.appendingPathComponent("u.png").path])
        #expect(weights.status == 0, "\(weights.output)")
        let maps = try run("cnnviz", ["maps", unsupported, "--out", folder.appendingPathComponent("m.png").path])
        #expect(maps.status != 0 && maps.output.contains("\(unsupported): the ONNX graph cannot be run by CNNBench: operator Resize"))

        let missing = try run("cnnbench", ["export", "no/such/model.h5"])
        #expect(missing.status != 0 && missing.output.contains("no/such/model.h5: no such model file"))
    }
}
