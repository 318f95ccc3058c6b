import ArgumentParser
import CNNBench
import CNNModels
import CNNStore
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a suite: train and time its models, write results, figures and its report.",
        discussion: """
        SUITE is a name in suites/ (lecture, depth, speed, quick) or a YAML/JSON file.
        Each run's model file goes to OUT/<run>/model.h5; results.json and results.csv to OUT.
        --resume skips finished runs and continues interrupted ones from their last checkpoint.
        Several processes (Slurm array tasks: see `cnnbench slurm`) share a suite with --shard I/N:
        shard I trains runs I, I+N, I+2N, ... (counted from 1 in suite order) into the same folder;
        --collect then writes results, timings, figures and the report; --status lists every run as
        finished, running (a live process holds OUT/<run>/running.json), failed, interrupted or not started.
        Examples: cnnbench run lecture
                  cnnbench run depth --resume
                  cnnbench run suites/depth.yaml --data-dir ~/cifar-10-batches-bin
                  cnnbench run depth --shard 2/4 --resume
                  cnnbench run depth --collect
                  cnnbench run depth --status
        """)

    @Argument(help: "A suite name or file.")
    var suite: String

    @Option(help: "Output folder (default: runs/SUITE).")
    var out: String?

    @Flag(help: "Skip finished runs; continue interrupted ones (each must still be the suite's model, data set and recipe).")
    var resume = false

    @Flag(help: "Replace model files already in OUT (they are never replaced otherwise).")
    var overwrite = false

    @Option(help: "Data folder for runs that name none (CIFAR-10's cifar-10-batches-bin).")
    var dataDir: String?

    @Flag(help: "Train and time only; no figures or report.")
    var noReport = false

    @Option(help: "Train only shard I of N (I from 1): runs I, I+N, ...; no timing, results or report (see --collect).")
    var shard: String?

    @Flag(help: "After the shards: gather the runs' results, time, draw the figures and write the report.")
    var collect = false

    @Flag(help: "List the runs as finished, running, failed, interrupted or not started, and exit.")
    var status = false

    @OptionGroup var threads: ThreadOptions

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other: continue the stored runs, or replace them") }
        if [shard != nil, collect, status].filter({ $0 }).count > 1 {
            throw ValidationError("--shard, --collect and --status are separate steps: give one of them")
        }
        if let shard {
            do { _ = try SuiteShard(parsing: shard) } catch { throw ValidationError("--shard: \(error)") }
        }
    }

    func run() throws {
        threads.apply()
        let path = Suite.locate(suite)
        let parsed: Suite
        do { parsed = try Suite.load(from: path, dataDirectory: dataDir) } catch let error as SuiteError {
            throw ValidationError(error.description)
        }
        let folder = URL(fileURLWithPath: out ?? "runs/\(parsed.name)")
        if status {
            print("suite \(parsed.name) in \(folder.path)")
            print(RunStatus.table(RunStatus.all(suite: parsed, folder: folder)))
            return
        }
        let part = try shard.map { try SuiteShard(parsing: $0) }
        let runner = SuiteRunner(suite: parsed, folder: folder, existing: resume ? .resume : overwrite ? .overwrite : .refuse,
                                 commandLine: CommandLine.arguments.joined(separator: " "), shard: part)
        if collect {
            Interrupt.install()
            let (results, finished) = try runner.collect(log: { print($0) })
            print(SuiteRunner.table(results))
            guard finished else { throw ExitCode(130) }
            if !noReport { try ReportMaker.make(results: results, folder: folder, reportPath: parsed.report) }
            try Self.failIfAnyRunFailed(results)
            return
        }
        print("suite \(parsed.name): \(counted(parsed.entries.count, "run")), \(counted(parsed.timing?.models.count ?? 0, "timed model")), \(counted(parsed.figures.count, "figure")) -> \(folder.path)")
        Interrupt.install()
        let (results, finished) = try runner.run(progress: ProgressReporter(), log: { print($0) })
        guard finished else {
            print(SuiteRunner.table(results))
            print("stopped; results so far are in \(folder.path); continue with: cnnbench run \(suite)"
                  + (shard.map { " --shard \($0)" } ?? "") + " --resume" + (out.map { " --out \($0)" } ?? ""))
            throw ExitCode(130)
        }
        if let part {
            print("shard \(part) done; when every shard is: cnnbench run \(suite) --collect" + (out.map { " --out \($0)" } ?? ""))
            return
        }
        print()
        print(SuiteRunner.table(results))
        if !noReport { try ReportMaker.make(results: results, folder: folder, reportPath: parsed.report) }
        try Self.failIfAnyRunFailed(results)
    }

    /// Exits non-zero, after the table and the report, when any run failed.
    static func failIfAnyRunFailed(_ results: SuiteResults) throws {
        let failed = results.runs.filter { $0.status.hasPrefix("failed") }
        guard failed.isEmpty else {
            printError("\(failed.count) of \(results.runs.count) run(s) failed: \(failed.map(\.name).joined(separator: ", "))")
            throw ExitCode.failure
        }
    }
}
