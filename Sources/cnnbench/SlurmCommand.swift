import ArgumentParser
import CNNBench
import Foundation

struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write (and with --submit, submit) a suite as a Slurm job array and a job that collects its results.",
        discussion: """
        Writes OUT/slurm/train.sbatch, an array of N tasks where task I runs
        `cnnbench run SUITE --shard I/N --resume`, and OUT/slurm/collect.sbatch, which runs
        `cnnbench run SUITE --collect` (results, timing, figures, report) after every task succeeded
        (--dependency=afterok). OUT must be on a file system every node sees. Submitting again resumes
        unfinished runs from their checkpoints; `cnnbench run SUITE --status` shows where each run stands.
        Examples: cnnbench slurm depth --nodes 8 --time 4:00:00 --cpus-per-task 4 --submit
                  cnnbench slurm quick --nodes 2 --partition debug --time 10:00
        """)

    @Argument(help: "A suite name or file.")
    var suite: String

    @Option(help: "Output folder (default: runs/SUITE).")
    var out: String?

    @Option(help: "Data folder for runs that name none (CIFAR-10's cifar-10-batches-bin).")
    var dataDir: String?

    @Option(help: "Array tasks (shards), one node each (default: one per run).")
    var nodes: Int?

    @Option(help: "Slurm partition (default: the cluster's).")
    var partition: String?

    @Option(help: "Slurm account to charge (default: yours).")
    var account: String?

    @Option(help: "Time limit of each task, as Slurm writes it (30:00, 4:00:00, 1-12:00:00).")
    var time = "4:00:00"

    @Option(help: "Cores of each task; also its engine threads.")
    var cpusPerTask = 2

    @Option(help: "The cnnbench binary the jobs run (default: this one).")
    var executable: String?

    @Flag(help: "Submit with sbatch and print the job ids.")
    var submit = false

    func validate() throws {
        if let nodes, nodes < 1 { throw ValidationError("--nodes must be at least 1, got \(nodes)") }
        if cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1, got \(cpusPerTask)") }
    }

    func run() throws {
        let path = Suite.locate(suite)
        let parsed: Suite
        do { parsed = try Suite.load(from: path, dataDirectory: dataDir) } catch let error as SuiteError {
            throw ValidationError(error.description)
        }
        let jobs: SlurmJobs
        do {
            jobs = try SlurmJobs(suite: parsed, suitePath: path, folder: out ?? "runs/\(parsed.name)",
                                 workingDirectory: FileManager.default.currentDirectoryPath,
                                 executable: executable ?? Bundle.main.executablePath ?? CommandLine.arguments[0],
                                 dataDirectory: dataDir,
                                 options: .init(shards: nodes ?? parsed.entries.count, partition: partition, account: account,
                                                time: time, cpusPerTask: cpusPerTask))
        } catch { throw ValidationError("\(error)") }
        try jobs.write()
        print("wrote \(jobs.arrayScript.path) (\(jobs.options.shards) task(s) for \(parsed.entries.count) run(s)) and \(jobs.collectScript.path)")
        guard submit else {
            print("submit with: cnnbench slurm \(suite) ... --submit, or by hand:")
            print("  array=$(sbatch --parsable \(jobs.arrayScript.path))")
            print("  sbatch --dependency=afterok:$array --kill-on-invalid-dep=yes \(jobs.collectScript.path)")
            return
        }
        let ids: (array: String, collect: String)
        do { ids = try jobs.submit() } catch { throw ValidationError("\(error)") }
        print("submitted array job \(ids.array) (tasks 1-\(jobs.options.shards)) and collecting job \(ids.collect) (afterok:\(ids.array))")
        print("array job: \(ids.array)")
        print("collect job: \(ids.collect)")
        print("follow with: squeue -j \(ids.array),\(ids.collect); cnnbench run \(suite) --status" + (out.map { " --out \($0)" } ?? ""))
    }
}
