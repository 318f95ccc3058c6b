import ArgumentParser
import CNNBench
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a suite: train and time its models, write results, figures and its report.",
        discussion: """
        SUITE is a name in suites/ (lecture, depth, speed, quick) or a YAML/JSON file.
        Each run's model file goes to OUT/<run>/model.h5; results.json and results.csv to OUT.
        --resume skips finished runs and continues interrupted ones from their last checkpoint.
        Examples: cnnbench run lecture
                  cnnbench run depth --resume
                  cnnbench run suites/depth.yaml --data-dir ~/cifar-10-batches-bin
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

    @OptionGroup var threads: ThreadOptions

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other: continue the stored runs, or replace them") }
    }

    func run() throws {
        threads.apply()
        let path = Suite.locate(suite)
        let parsed: Suite
        do { parsed = try Suite.load(from: path, dataDirectory: dataDir) } catch let error as SuiteError {
            throw ValidationError(error.description)
        }
        let folder = URL(fileURLWithPath: out ?? "runs/\(parsed.name)")
        print("suite \(parsed.name): \(parsed.entries.count) run(s), \(parsed.timing?.models.count ?? 0) timed model(s), \(parsed.figures.count) figure(s) -> \(folder.path)")
        Interrupt.install()
        let runner = SuiteRunner(suite: parsed, folder: folder, existing: resume ? .resume : overwrite ? .overwrite : .refuse,
                                 commandLine: CommandLine.arguments.joined(separator: " "))
        let (results, finished) = try runner.run(progress: ProgressReporter(), log: { print($0) })
        print()
        print(SuiteRunner.table(results))
        guard finished else {
            print("stopped; results so far are in \(folder.path); continue with: cnnbench run \(suite) --resume" + (out.map { " --out \($0)" } ?? ""))
            throw ExitCode(130)
        }
        if !noReport { try ReportMaker.make(results: results, folder: folder, reportPath: parsed.report) }
        let failed = results.runs.filter { $0.status.hasPrefix("failed") }
        if !failed.isEmpty {
            printError("\(failed.count) of \(results.runs.count) run(s) failed: \(failed.map(\.name).joined(separator: ", "))")
            throw ExitCode.failure
        }
    }
}
