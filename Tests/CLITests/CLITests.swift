import CNNEngine
import CNNStore
import Foundation
import Testing
import _TestSupport

/// The command lines as users see them: help lists the subcommands, mistakes give one clear sentence.
@Suite("Command lines")
struct CLITests {
    /// Runs a built executable of this package (the one `swift test` built beside the tests).
    func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:],
             standardOutput: FileHandle? = nil) throws -> (status: Int32, output: String) {
        let root = repositoryRoot()
        let candidates = tool.hasPrefix("/") ? [tool] : [".build/debug/\(tool)", ".build/release/\(tool)"].map { root.appendingPathComponent($0).path }
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
        process.standardOutput = standardOutput ?? pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func cnnbenchHelpListsItsSubcommands() throws {
        let (status, output) = try run("cnnbench", ["--help"])
        #expect(status == 0)
        for sub in ["run", "slurm", "report", "train", "sparse-filters", "eval", "inspect", "activations", "export", "models", "summary", "time"] {
            #expect(output.contains("\n  \(sub) "), "cnnbench --help does not list \(sub)")
        }
    }

    @Test func cnnvizHelpListsASubcommandPerCatalogueGroup() throws {
        let (status, output) = try run("cnnviz", ["--help"])
        #expect(status == 0)
        for sub in ["conv", "shapes", "params", "kernels", "gabor", "templates", "filters", "maps", "top", "equivariance",
                    "saliency", "embedding", "arch", "blocks", "curves", "confusion", "mistakes", "depth", "results", "health",
                    "samples", "augment"] {
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

        let dense = try run("cnnviz", ["blocks", "--dense-layers", "5", "--out", "/nonexistent/d2.png"])
        #expect(dense.status != 0 && dense.output.contains("--dense-layers must be from 1 to 4 (more do not fit the slide), got 5"))
    }

    @Test func noCommandWritesOverAFinishedModelOrItsInput() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.h5")
        let original = Data("a finished model".utf8)
        try original.write(to: model)

        let train = try run("cnnbench", ["train", "logreg", "--out", folder.path, "--epochs", "1"])
        #expect(train.status != 0 && train.output.contains("already holds"), "\(train.output)")
        #expect(train.output.contains("--resume") && train.output.contains("--overwrite"))
        #expect(!train.output.contains("training "), "trained before refusing")

        let both = try run("cnnbench", ["train", "logreg", "--out", folder.path, "--resume", "--overwrite"])
        #expect(both.status != 0 && both.output.contains("--resume and --overwrite exclude each other"))

        let activations = try run("cnnbench", ["activations", model.path, "--out", model.path])
        #expect(activations.status != 0 && activations.output.contains("is one of this command's input files"), "\(activations.output)")
        let sameFileOtherSpelling = try run("cnnbench", ["activations", model.path, "--out", folder.path + "/./model.h5"])
        #expect(sameFileOtherSpelling.status != 0)
        #expect(try Data(contentsOf: model) == original)
    }

    @Test func optionsAndEnvironmentAreValidatedWithTheirRange() throws {
        for value in ["0", "-4", "abc"] {
            let result = try run("cnnbench", ["eval", "no/such/model.h5"], environment: ["CNNBENCH_THREADS": value])
            #expect(result.status != 0)
            #expect(result.output.contains("CNNBENCH_THREADS must be a whole number from 1 to 1024, got \"\(value)\""), "\(result.output)")
        }
        // The engine's switches: a typo is refused before any work, by both tools, naming the variable.
        for (variable, value, tool) in [("CNNBENCH_ISA", "avx9", "cnnbench"), ("CNNBENCH_DIRECT_CONV", "yes", "cnnviz"),
                                        ("CNNBENCH_WINOGRAD", "maybe", "cnnbench"), ("CNNBENCH_GEMM", "mkl", "cnnviz")] {
            let result = try run(tool, ["--help"], environment: [variable: value])
            #expect(result.status != 0 && result.output.contains("\(variable)") && result.output.contains("\"\(value)\""), "\(result.output)")
        }
        let epochs = try run("cnnbench", ["train", "logreg", "--epochs", "-4"])
        #expect(epochs.status != 0 && epochs.output.contains("epochs must be at least 1, got -4"), "\(epochs.output)")
        let perClass = try run("cnnviz", ["samples", "--per-class", "-3"])
        #expect(perClass.status != 0 && perClass.output.contains("--per-class must be between 1 and 40, got -3"), "\(perClass.output)")
        let threads = try run("cnnbench", ["eval", "no/such/model.h5", "--threads", "-2"])
        #expect(threads.status != 0 && threads.output.contains("--threads must be a whole number from 1 to 1024, got -2"), "\(threads.output)")
    }

    @Test func aFailedWriteToStandardOutputIsAFailure() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let result = try run("cnnbench", ["models"], standardOutput: full)
        #expect(result.status != 0)
        #expect(result.output.contains("cannot write to standard output"), "\(result.output)")
    }

    @Test func aSuiteWithAFailedRunExitsNonZero() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let suite = folder.appendingPathComponent("s.yaml")
        try "runs:\n  - model: logreg\n    dataset: cifar10\n    data_dir: /nonexistent\nfigures: none\n".write(to: suite, atomically: true, encoding: .utf8)
        let result = try run("cnnbench", ["run", suite.path, "--out", folder.appendingPathComponent("out").path, "--no-report"])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("1 of 1 run(s) failed: logreg-cifar10"), "\(result.output)")
    }

    /// A disk that fills during a checkpoint: the write fails (here through a file-size limit, EFBIG,
    /// as ENOSPC does on a full disk) and the command stops with one sentence, no crash inside HDF5.
    @Test func aFailedCheckpointWriteIsAnErrorNotACrash() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tool = repositoryRoot().appendingPathComponent(".build/debug/cnnbench").path
        guard FileManager.default.isExecutableFile(atPath: tool) else { return }
        // SIGXFSZ ignored, so that the write fails with EFBIG instead of killing the process; 40 blocks is below a logreg model file.
        let script = "trap '' XFSZ; ulimit -f 40; exec \"$0\" train logreg --out \"$1\" --epochs 1 --train-limit 64 --validation 0 --threads 1"
        let result = try run("/bin/sh", ["-c", script, tool, folder.appendingPathComponent("m").path])
        #expect(result.status == 1, "exit status \(result.status): \(result.output)")
        #expect(result.output.contains("model.h5: cannot write the file: File too large"), "\(result.output)")
        #expect(!result.output.contains("crashed"))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("m").path)
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test func figureCommandsNameTheRealProblem() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A truncated HDF5 file is truncated, not "neither a CNNBench model file nor Keras".
        let truncated = folder.appendingPathComponent("model.h5")
        var header = Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
        header.append(Data(repeating: 0, count: 92))
        try header.write(to: truncated)
        let filters = try run("cnnviz", ["filters", truncated.path, "--out", folder.appendingPathComponent("f.png").path])
        #expect(filters.status != 0 && !filters.output.contains("neither"), "\(filters.output)")
        #expect(filters.output.contains(truncated.path), "\(filters.output)")

        // An output under a file: one sentence, no NSCocoaErrorDomain.
        let under = try run("cnnviz", ["shapes", "--out", truncated.path + "/x.png"])
        #expect(under.status != 0 && under.output.contains("model.h5 is a file, not a folder"), "\(under.output)")
        #expect(!under.output.contains("NSCocoaErrorDomain"))

        // A FIFO given as a photograph is refused at once, not read forever.
        let fifo = folder.appendingPathComponent("pipe.png").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let kernels = try run("cnnviz", ["kernels", fifo, "--out", folder.appendingPathComponent("k.png").path])
        #expect(kernels.status != 0 && kernels.output.contains("is not a regular file"), "\(kernels.output)")
    }

    /// A ten-class MNIST model evaluated on a three-class folder: one sentence, not a trap after the loss.
    @Test func evalOnADataSetOfOtherClassesIsAClearError() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = ModelSpec(name: "logreg", inputShape: [1, 28, 28], classes: 10,
                             layers: [.flatten(name: "flatten"), .dense(name: "OUTPUT", inFeatures: 784, outFeatures: 10)])
        let model = folder.appendingPathComponent("model.h5")
        try ModelFile.write(ModelFileContents(
            model: "logreg", architectureJSON: String(decoding: try JSONEncoder().encode(spec), as: UTF8.self),
            inputShape: [1, 28, 28], classes: 10,
            weights: [("OUTPUT/weight", Tensor(shape: [10, 784])), ("OUTPUT/bias", Tensor(shape: [10]))],
            dataset: DatasetRecord(name: "MNIST", classNames: (0...9).map(String.init), normalizationMean: [0.1307], normalizationStd: [0.3081])),
                           to: model)
        // Three classes of one 28x28 grey PNG each (a valid PNG written by hand: signature, IHDR, IDAT, IEND).
        for split in ["train", "test"] {
            for name in ["x", "y", "z"] {
                let classFolder = folder.appendingPathComponent("three/\(split)/\(name)")
                try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
                try grey28x28PNG().write(to: classFolder.appendingPathComponent("0.png"))
            }
        }
        let result = try run("cnnbench", ["eval", model.path, "--dataset", folder.appendingPathComponent("three").path])
        #expect(result.status != 0 && result.status != 132 && result.status != 133, "exit status \(result.status)")
        #expect(result.output.contains("has 10 classes, but"), "\(result.output)")
        #expect(result.output.contains("has 3 (x, y, z)"), "\(result.output)")
    }

    /// A black 28x28 grey PNG, stored uncompressed in one deflate block.
    func grey28x28PNG() -> Data {
        func crc(_ bytes: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return ~c
        }
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] { be(UInt32(data.count)) + Array(type.utf8) + data + be(crc(Array(type.utf8) + data)) }
        let raw = [UInt8]((0..<28).flatMap { _ in [0] + [UInt8](repeating: 0, count: 28) })
        var adler = (a: UInt32(1), b: UInt32(0))
        for byte in raw { adler.a = (adler.a + UInt32(byte)) % 65521; adler.b = (adler.b + adler.a) % 65521 }
        let n = UInt16(raw.count)
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)] + raw + be(adler.b << 16 | adler.a)
        let header = be(28) + be(28) + [8, 0, 0, 0, 0]
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", []))
    }

    @Test func saliencyEmbeddingAndHealthWritePNGs() throws {
        let folder = try temporaryFolder("cli-c6-c7-e6")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("lenet5.onnx").path
        #expect(try run("cnnbench", ["export", "lenet5", "--seed", "2", "-o", onnx]).status == 0)
        for (figure, options) in [("saliency", ["--indices", "0,1", "--mistakes", "1", "--patch", "8", "--stride", "4"]),
                                  ("embedding", ["--limit", "20"]), ("health", ["--limit", "10"])] {
            let png = folder.appendingPathComponent("\(figure).png").path
            let result = try run("cnnviz", [figure, onnx] + options + ["--out", png])
            #expect(result.status == 0, "\(figure): \(result.output)")
            #expect(pngSize(atPath: png) != nil, "cnnviz \(figure) wrote no PNG")
        }
        let bad = try run("cnnviz", ["saliency", onnx, "--fill", "white"])
        #expect(bad.status != 0 && bad.output.contains("--fill must be black or grey, got \"white\""))
        let missing = try run("cnnviz", ["health", "no/such/model.h5"])
        #expect(missing.status != 0 && missing.output.contains("no/such/model.h5: no such file"))
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

        // Neither the input nor a CNNBench model file is ever written over.
        let h5 = folder.appendingPathComponent("model.h5").path
        let keras = try run("cnnbench", ["export", onnx, "--format", "keras-h5", "-o", h5])
        #expect(keras.status == 0, "\(keras.output)")
        let same = try run("cnnbench", ["export", onnx, "-o", folder.appendingPathComponent("./lenet5.onnx").path])
        #expect(same.status != 0 && same.output.contains("is one of this command's input files; it is never written over"))

        let missing = try run("cnnbench", ["export", "no/such/model.h5"])
        #expect(missing.status != 0 && missing.output.contains("no/such/model.h5: no such model file"))
    }
}
