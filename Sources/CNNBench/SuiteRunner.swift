// Runs a suite: every training run into its own folder, timings, and results.json / results.csv
// rewritten after each finished run, so an interrupted suite resumes with nothing lost or redone.
// A shard (`--shard I/N`) trains only its share of the runs and writes only into their folders;
// `collect` then gathers their rows into results.json and does the timing.
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation

/// Runs the entries of a suite into an output folder.
public final class SuiteRunner {
    public let suite: Suite
    public let folder: URL
    /// What to do with runs whose model file already exists.
    public let existing: ExistingModelPolicy
    public let commandLine: String
    /// This process's share of the runs, or nil for all of them.
    public let shard: SuiteShard?

    /// Whether finished runs are skipped and interrupted ones continued.
    public var resume: Bool { existing == .resume }

    public init(suite: Suite, folder: URL, existing: ExistingModelPolicy, commandLine: String, shard: SuiteShard? = nil) {
        self.suite = suite; self.folder = folder; self.existing = existing; self.commandLine = commandLine; self.shard = shard
    }

    public convenience init(suite: Suite, folder: URL, resume: Bool, commandLine: String, shard: SuiteShard? = nil) {
        self.init(suite: suite, folder: folder, existing: resume ? .resume : .refuse, commandLine: commandLine, shard: shard)
    }

    /// Checks the output of every run of this shard (or of the suite) before anything trains: no model
    /// file is replaced unasked, every folder is writable, and every resumed run is the suite's.
    /// - Throws: `TrainingError` listing the runs whose model files would be replaced, or every mismatch.
    public func checkOutputs() throws {
        var held: [String] = []
        var mismatches: [String] = []
        for (position, entry) in suite.entries.enumerated() where shard?.owns(position) ?? true {
            let file = folder.appendingPathComponent(entry.name).appendingPathComponent("model.h5")
            do { try TrainingRun.checkOutput(file, policy: existing) } catch {
                guard existing == .refuse, FileManager.default.fileExists(atPath: file.path) else { throw error }
                held.append(file.path)
            }
            // A run resumed with another model, data set or recipe is found now, not after the runs before it.
            if existing == .resume, FileManager.default.fileExists(atPath: file.path) {
                do { _ = try TrainingRun.checkResumable(file, request: request(for: entry)) } catch { mismatches.append("\(error)") }
            }
        }
        if let _ = suite.sparseFilters, shard == nil, existing == .refuse {
            let file = folder.appendingPathComponent(Suite.sparseFiltersFolder).appendingPathComponent("model.h5")
            if FileManager.default.fileExists(atPath: file.path) { held.append(file.path) }
        }
        guard mismatches.isEmpty else {
            throw TrainingError(description: "cannot resume the suite: " + mismatches.joined(separator: "\n"))
        }
        guard held.isEmpty else {
            throw TrainingError(description: "\(folder.path) already holds the model file\(held.count == 1 ? "" : "s") \(held.joined(separator: ", ")); "
                                + "they are never replaced unasked: continue the suite with --resume, replace them with --overwrite, or choose another --out")
        }
    }

    /// Each run's row of the results table, in its own folder, so shards never write the same file.
    public static let rowFileName = "result.json"

    /// Trains (this shard's runs, or all) and, for a whole-suite run, times; returns the results (also written to the folder).
    /// - Returns: the results and whether the suite finished (false when stopped by Ctrl-C or SIGTERM).
    public func run(progress: ProgressReporter?, log: (String) -> Void) throws -> (results: SuiteResults, finished: Bool) {
        try checkOutputs()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var results = emptyResults()
        if shard == nil, resume, let previous = try? SuiteResults.read(from: folder) {
            results.commands = previous.commands + [commandLine]
            results.timings = previous.timings
        }
        let mine = suite.entries.enumerated().filter { shard?.owns($0.offset) ?? true }
        if let shard { log("shard \(shard): runs \(mine.map { String($0.offset + 1) }.joined(separator: ", ")) of \(suite.entries.count)") }
        for (i, entry) in mine {
            let runFolder = folder.appendingPathComponent(entry.name)
            let file = runFolder.appendingPathComponent("model.h5")
            log("[\(i + 1)/\(suite.entries.count)] \(entry.name): \(entry.model) on \(entry.source.name), \(entry.recipe.epochs) epochs")
            let lock: RunLock
            do {
                try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
                lock = try RunLock(folder: runFolder, shard: shard)
            } catch {
                log("  \(error)")
                continue
            }
            defer { lock.release() }
            let row: SuiteResultRow
            var finished = true
            do {
                let training: TrainingRun
                if resume, FileManager.default.fileExists(atPath: file.path) {
                    training = try TrainingRun.resume(from: file, request: request(for: entry))
                    if training.epochsCompleted >= entry.recipe.epochs {
                        log("  already finished: skipped")
                    } else {
                        log("  resuming at epoch \(training.epochsCompleted + 1)")
                    }
                } else {
                    training = try TrainingRun(model: entry.model, source: entry.source, recipe: entry.recipe)
                }
                training.metadata["command_line"] = commandLine
                training.metadata["suite"] = suite.name
                finished = try training.train(saveTo: file, progress: progress, log: { log("  " + $0) })
                row = self.row(for: entry, training: training, file: "\(entry.name)/model.h5", status: finished ? "finished" : "interrupted")
            } catch {
                log("  failed: \(error)")
                row = failedRow(entry, error: error)
            }
            try Self.writeRow(row, in: runFolder)
            if shard == nil {
                upsert(row, into: &results)
                try results.write(to: folder)
            }
            if !finished { return (results, false) }
        }
        if shard == nil { try learnSparseFilters(log: log) }
        if shard == nil, !(try time(into: &results, log: log)) { return (results, false) }
        if shard == nil { try results.write(to: folder) }
        return (results, true)
    }

    /// Gathers every run's row into results.json once all runs are done, times the suite's models, and
    /// returns the results: the last step after the shards.
    /// - Throws: `ConfigurationError` naming the runs not yet finished (or failed).
    public func collect(log: (String) -> Void) throws -> (results: SuiteResults, finished: Bool) {
        let statuses = RunStatus.all(suite: suite, folder: folder)
        let pending = statuses.filter { $0.state != .finished && $0.state != .failed }
        guard pending.isEmpty else {
            throw ConfigurationError("\(pending.count) of \(statuses.count) run(s) not done: "
                                     + pending.map { "\($0.name) (\($0.state.rawValue))" }.joined(separator: ", ")
                                     + "; run their shards first (cnnbench run \(suite.name) --shard I/N --resume), see --status")
        }
        var results = emptyResults()
        if let previous = try? SuiteResults.read(from: folder) {
            results.commands = previous.commands + [commandLine]
            results.timings = previous.timings
        }
        for entry in suite.entries {
            guard let row = Self.readRow(in: folder.appendingPathComponent(entry.name)) else { continue }
            upsert(row, into: &results)
        }
        try results.write(to: folder)
        try learnSparseFilters(log: log)
        let finished = try time(into: &results, log: log)
        try results.write(to: folder)
        return (results, finished)
    }

    /// Learns the suite's sparse colour filters into `sparse-filters/model.h5` (seconds; kept by
    /// `--resume`, replaced by `--overwrite`, whose check `checkOutputs` made before anything trained).
    private func learnSparseFilters(log: (String) -> Void) throws {
        guard let recipe = suite.sparseFilters else { return }
        let runFolder = folder.appendingPathComponent(Suite.sparseFiltersFolder)
        let file = runFolder.appendingPathComponent("model.h5")
        if existing == .resume, FileManager.default.fileExists(atPath: file.path) {
            log("sparse filters: \(file.path) already learned: kept")
            return
        }
        log("sparse filters: \(recipe.filters) colour filters of \(recipe.size)x\(recipe.size) from the photographs, \(recipe.steps) steps")
        try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
        let start = monotonicSeconds()
        let training = try SparseFilterTraining(imagePaths: try SparseFilterTraining.shippedPhotographs(), recipe: recipe)
        try training.train { log("  " + $0) }
        try training.save(to: file, commandLine: commandLine)
        log(String(format: "  wrote %@ (%.1f s)", file.path, monotonicSeconds() - start))
    }

    private func emptyResults() -> SuiteResults {
        SuiteResults(suite: suite.name, description: suite.description, created: ISO8601DateFormatter().string(from: Date()),
                     machine: "\(cpuModelName()), \(ProcessInfo.processInfo.activeProcessorCount) cores",
                     toolkitVersion: CNNBenchVersion.current, figures: suite.figures, commands: [commandLine])
    }

    /// Times the suite's models (those not timed yet); false when stopped by Ctrl-C.
    private func time(into results: inout SuiteResults, log: (String) -> Void) throws -> Bool {
        guard let timing = suite.timing else { return true }
        // The runs after the timing keep the thread count they had.
        let threadsBefore = Parallel.threadCount
        defer { Parallel.threadCount = threadsBefore }
        for model in timing.models {
            for threads in timing.threads {
                if results.timings.contains(where: { $0.model == model && $0.threads == threads }) { continue }
                Parallel.threadCount = threads
                let spec = try ModelZoo.spec(model)
                let batch = timing.batch ?? TrainingRecipe.defaults(for: model).batchSize
                log("timing \(model), batch \(batch), \(threads) thread(s)")
                let report = try ModelTimer.run(spec: spec, batch: batch, iterations: timing.iterations)
                log(report.table)
                let timingFolder = folder.appendingPathComponent("timing")
                try FileManager.default.createDirectory(at: timingFolder, withIntermediateDirectories: true)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try SuiteResults.atomicWrite(try encoder.encode(report), to: timingFolder.appendingPathComponent("\(model)-t\(threads).json"))
                results.timings.append(.init(model: model, batch: batch, threads: threads, imagesPerSecond: report.imagesPerSecond,
                                             stepMilliseconds: report.stepSeconds * 1e3, gflops: report.gflops,
                                             peakMemoryBytes: report.peakMemoryBytes, otherProcessCores: report.otherProcessCores))
                try results.write(to: folder)
                if Interrupt.requested { return false }
            }
        }
        return true
    }

    /// Writes a run's row to `<run>/result.json`, atomically.
    static func writeRow(_ row: SuiteResultRow, in runFolder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try SuiteResults.atomicWrite(try encoder.encode(row), to: runFolder.appendingPathComponent(rowFileName))
    }

    /// A run's row from `<run>/result.json`, or nil when it has none.
    static func readRow(in runFolder: URL) -> SuiteResultRow? {
        guard let data = FileManager.default.contents(atPath: runFolder.appendingPathComponent(rowFileName).path) else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(SuiteResultRow.self, from: data)
    }

    /// What resuming `entry` asks for: the suite's model, data set and whole recipe.
    func request(for entry: SuiteEntry) -> ResumeRequest {
        ResumeRequest(model: entry.model, source: entry.source, recipe: { _ in entry.recipe })
    }

    private func upsert(_ row: SuiteResultRow, into results: inout SuiteResults) {
        if let i = results.runs.firstIndex(where: { $0.name == row.name }) { results.runs[i] = row } else { results.runs.append(row) }
    }

    func row(for entry: SuiteEntry, training: TrainingRun, file: String, status: String) -> SuiteResultRow {
        let history = training.history
        let best = EpochRecord.best(in: history)
        let seconds = history.reduce(0) { $0 + $1.seconds }
        let images = history.reduce(0.0) { $0 + $1.imagesPerSecond * $1.seconds }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SuiteResultRow(name: entry.name, model: entry.model, dataset: entry.source.name.identifier,
                              recipe: String(decoding: (try? encoder.encode(training.recipe)) ?? Data(), as: UTF8.self),
                              seed: training.recipe.seed, parameters: training.network.parameterCount, epochs: history.count,
                              testError: history.last?.testError ?? .nan, bestTestError: best?.testError ?? .nan, bestEpoch: best?.epoch ?? 0,
                              finalTrainError: history.last?.trainError ?? .nan, seconds: seconds,
                              imagesPerSecond: seconds > 0 ? images / seconds : 0, modelFile: file, status: status)
    }

    func failedRow(_ entry: SuiteEntry, error: Error) -> SuiteResultRow {
        SuiteResultRow(name: entry.name, model: entry.model, dataset: entry.source.name.identifier, recipe: "", seed: entry.recipe.seed,
                       parameters: 0, epochs: 0, testError: .nan, bestTestError: .nan, bestEpoch: 0, finalTrainError: .nan,
                       seconds: 0, imagesPerSecond: 0, modelFile: "", status: "failed: \(error)")
    }

    /// The final table of a suite's runs, as text.
    public static func table(_ results: SuiteResults) -> String {
        var rows = [["run", "model", "data", "seed", "params", "epochs", "test error", "best (epoch)", "seconds", "img/s", "status"]]
        for r in results.runs {
            rows.append([r.name, r.model, r.dataset, String(r.seed), String(r.parameters), String(r.epochs),
                         r.testError.isNaN ? "-" : String(format: "%.2f%%", r.testError * 100),
                         r.bestTestError.isNaN ? "-" : String(format: "%.2f%% (%d)", r.bestTestError * 100, r.bestEpoch),
                         String(format: "%.1f", r.seconds), String(format: "%.0f", r.imagesPerSecond), String(r.status.prefix(60))])
        }
        var text = alignedTable(rows, rightAligned: 3...9)
        if !results.timings.isEmpty {
            var t = [["timed model", "batch", "threads", "img/s", "step ms", "GFLOP/s"]]
            for r in results.timings {
                t.append([r.model, String(r.batch), String(r.threads), String(format: "%.1f", r.imagesPerSecond),
                          String(format: "%.2f", r.stepMilliseconds), String(format: "%.1f", r.gflops)])
            }
            text += "\n\n" + alignedTable(t, rightAligned: 1...5)
        }
        return text
    }
}
