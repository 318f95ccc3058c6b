// `cnnbench time --compare-pytorch`: the same model, batch and threads timed in PyTorch by the
// shipped reference script (scripts/reference/train_throughput.py), alternating with the engine's
// own runs, since timings on shared machines drift; the ratio of the medians is what is reported.
import CNNEngine
import CNNModels
import Foundation

/// Runs the PyTorch reference script and reads its images per second.
public struct PyTorchComparison {
    /// The Python interpreter with torch (CNNBENCH_PYTHON, else ~/torchenv/bin/python, else python3).
    public let python: String
    /// The reference script.
    public let script: String

    /// Finds the interpreter and the script.
    /// - Throws: `ConfigurationError` saying how to install PyTorch when no interpreter has it.
    public init() throws {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["CNNBENCH_PYTHON"], "\(NSHomeDirectory())/torchenv/bin/python", "/usr/bin/python3"].compactMap { $0 }
        guard let python = candidates.first(where: { Self.hasTorch($0) }) else {
            throw ConfigurationError("--compare-pytorch needs a Python with PyTorch: python3 -m venv ~/torchenv && ~/torchenv/bin/pip install torch torchvision (or set CNNBENCH_PYTHON); looked at \(candidates.joined(separator: ", "))")
        }
        self.python = python
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var found: String?
        for _ in 0..<6 {
            let path = folder.appendingPathComponent("scripts/reference/train_throughput.py").path
            if FileManager.default.fileExists(atPath: path) { found = path; break }
            folder.deleteLastPathComponent()
        }
        guard let found else {
            throw ConfigurationError("--compare-pytorch needs scripts/reference/train_throughput.py from the CNNBench repository; run it from the repository")
        }
        script = found
    }

    static func hasTorch(_ python: String) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        return (try? run(python, ["-c", "import torch"]))?.status == 0
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The name the reference script knows the zoo model by.
    public static func torchName(_ model: String) -> String { model }

    /// PyTorch's training images per second for `model` (median of its repeats).
    /// - Throws: an error quoting the script's failure.
    public func imagesPerSecond(model: String, batch: Int, threads: Int, seconds: Double = 6) throws -> Double {
        let (status, output) = try Self.run(python, [script, "--model", Self.torchName(model), "--batch", String(batch),
                                                     "--threads", String(threads), "--seconds", String(seconds), "--repeats", "3", "--json"])
        guard status == 0, let line = output.split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let median = object["median"] as? Double else {
            throw ConfigurationError("the PyTorch reference script failed for \(model) (exit \(status)): \(output.suffix(300))")
        }
        return median
    }
}
