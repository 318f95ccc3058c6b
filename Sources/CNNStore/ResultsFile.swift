// A suite's results: one row per training run, written as results.json and results.csv beside the
// runs' model files, read back by the report. Written atomically after every finished run.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One training run of a suite, as the results table shows it.
public struct SuiteResultRow: Codable, Sendable, Equatable {
    public var name: String
    public var model: String
    public var dataset: String
    /// The recipe as JSON (optimizer, learning rate, schedule, epochs, batch, augmentation, ...).
    public var recipe: String
    public var seed: UInt64
    public var parameters: Int
    public var epochs: Int
    /// Final test error, a fraction.
    public var testError: Double
    public var bestTestError: Double
    public var bestEpoch: Int
    public var finalTrainError: Double
    /// Training wall seconds over all epochs (evaluation excluded).
    public var seconds: Double
    public var imagesPerSecond: Double
    /// The model file, relative to the results folder.
    public var modelFile: String
    /// "finished", or "failed: <reason>".
    public var status: String

    public init(name: String, model: String, dataset: String, recipe: String, seed: UInt64, parameters: Int, epochs: Int,
                testError: Double, bestTestError: Double, bestEpoch: Int, finalTrainError: Double, seconds: Double,
                imagesPerSecond: Double, modelFile: String, status: String) {
        self.name = name; self.model = model; self.dataset = dataset; self.recipe = recipe; self.seed = seed
        self.parameters = parameters; self.epochs = epochs; self.testError = testError; self.bestTestError = bestTestError
        self.bestEpoch = bestEpoch; self.finalTrainError = finalTrainError; self.seconds = seconds
        self.imagesPerSecond = imagesPerSecond; self.modelFile = modelFile; self.status = status
    }
}

/// A suite's results file (results.json) with its timing table.
public struct SuiteResults: Codable, Sendable {
    public var suite: String
    public var description: String
    public var created: String
    public var machine: String
    public var toolkitVersion: String
    public var runs: [SuiteResultRow]
    /// Per model and thread count: images/s of a training step and the per-layer table, as JSON text.
    public var timings: [TimingRow]
    /// Catalogue ids of the figures the suite asks for.
    public var figures: [String]
    /// The commands that made this folder (for the report's "regenerate" section).
    public var commands: [String]

    public struct TimingRow: Codable, Sendable, Equatable {
        public var model: String
        public var batch: Int
        public var threads: Int
        public var imagesPerSecond: Double
        public var stepMilliseconds: Double
        public var gflops: Double
        public var peakMemoryBytes: Int?
        public var otherProcessCores: Double
        public init(model: String, batch: Int, threads: Int, imagesPerSecond: Double, stepMilliseconds: Double, gflops: Double,
                    peakMemoryBytes: Int?, otherProcessCores: Double) {
            self.model = model; self.batch = batch; self.threads = threads; self.imagesPerSecond = imagesPerSecond
            self.stepMilliseconds = stepMilliseconds; self.gflops = gflops; self.peakMemoryBytes = peakMemoryBytes
            self.otherProcessCores = otherProcessCores
        }
    }

    public init(suite: String, description: String, created: String, machine: String, toolkitVersion: String,
                runs: [SuiteResultRow] = [], timings: [TimingRow] = [], figures: [String] = [], commands: [String] = []) {
        self.suite = suite; self.description = description; self.created = created; self.machine = machine
        self.toolkitVersion = toolkitVersion; self.runs = runs; self.timings = timings; self.figures = figures; self.commands = commands
    }

    /// Reads `folder/results.json`.
    /// - Throws: an error naming the file when it is missing or not a results file.
    public static func read(from folder: URL) throws -> SuiteResults {
        let url = folder.appendingPathComponent("results.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StoreError(.fileNotFound, file: url.path, reason: "no results file: run `cnnbench run SUITE --out \(folder.path)` first")
        }
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            return try decoder.decode(SuiteResults.self, from: data)
        } catch {
            throw StoreError(.corrupt, file: url.path, reason: "not a CNNBench results file: \(error)")
        }
    }

    /// Writes results.json and results.csv into `folder`, each atomically.
    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // A failed run has no error rates: NaN, written as the string "nan".
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try Self.atomicWrite(try encoder.encode(self), to: folder.appendingPathComponent("results.json"))
        var csv = "name,model,dataset,seed,parameters,epochs,test_error,best_test_error,best_epoch,final_train_error,seconds,images_per_second,model_file,status\n"
        for r in runs {
            let fields: [String] = [r.name, r.model, r.dataset, String(r.seed), String(r.parameters), String(r.epochs),
                                    String(r.testError), String(r.bestTestError), String(r.bestEpoch), String(r.finalTrainError),
                                    String(format: "%.2f", r.seconds), String(format: "%.1f", r.imagesPerSecond), r.modelFile, r.status]
            csv += fields.map(Self.csvField).joined(separator: ",") + "\n"
        }
        try Self.atomicWrite(Data(csv.utf8), to: folder.appendingPathComponent("results.csv"))
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Writes `data` to a temporary file beside `url`, syncs it, then renames it over `url`.
    /// - Throws: `StoreError` with the system's reason ("No space left on device", "Permission denied").
    public static func atomicWrite(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        func failure(_ what: String) -> StoreError {
            StoreError(.operationFailed, file: url.path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create the file") }
        var renamed = false
        defer {
            _ = Foundation.close(descriptor)
            if !renamed { unlink(temporary.path) }
        }
        try data.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Foundation.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw failure("cannot write the file") }
                done += n
            }
        }
        guard fsync(descriptor) == 0 else { throw failure("cannot write the file") }
        guard rename(temporary.path, url.path) == 0 else { throw failure("cannot move the new file into place") }
        renamed = true
    }
}
