// A suite on a Slurm cluster: an sbatch job array, one task per shard (`cnnbench run SUITE --shard I/N
// --resume`), and a job that depends on it (`afterok`) and collects the results, timings, figures and
// report. Written as two plain scripts a teacher can read, edit and submit by hand.
import CNNEngine
import CNNStore
import Foundation

/// The two batch scripts of a suite on Slurm, and their submission.
public struct SlurmJobs: Sendable {
    /// What `cnnbench slurm` was given.
    public struct Options: Sendable, Equatable {
        /// Array tasks, one shard each (each on one node).
        public var shards: Int
        public var partition: String?
        public var account: String?
        /// Slurm's time limit per task (`1:00:00`, `2-00:00:00`).
        public var time: String
        public var cpusPerTask: Int
        public init(shards: Int, partition: String? = nil, account: String? = nil, time: String = "4:00:00", cpusPerTask: Int = 2) {
            self.shards = shards; self.partition = partition; self.account = account; self.time = time; self.cpusPerTask = cpusPerTask
        }
    }

    public let suiteName: String
    /// The suite file, absolute.
    public let suitePath: String
    /// The suite folder, absolute (on a file system every node sees); given relative to `workingDirectory` or absolute.
    public let folder: URL
    /// The working directory of the jobs (relative data and report paths are taken from it).
    public let workingDirectory: String
    /// The cnnbench binary the jobs run, absolute.
    public let executable: String
    public let dataDirectory: String?
    public let options: Options

    public init(suite: Suite, suitePath: String, folder: String, workingDirectory: String, executable: String,
                dataDirectory: String?, options: Options) throws {
        guard options.shards >= 1 else { throw ConfigurationError("--nodes must be at least 1, got \(options.shards)") }
        guard options.cpusPerTask >= 1 else { throw ConfigurationError("--cpus-per-task must be at least 1, got \(options.cpusPerTask)") }
        guard !options.time.isEmpty, options.time.allSatisfy({ $0.isNumber || $0 == ":" || $0 == "-" }) else {
            throw ConfigurationError("--time must be a Slurm time such as 30:00, 4:00:00 or 2-00:00:00, got \"\(options.time)\"")
        }
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: workingDirectory).appendingPathComponent(path).standardizedFileURL.path
        }
        suiteName = suite.name
        self.suitePath = absolute(suitePath)
        self.folder = URL(fileURLWithPath: absolute(folder))
        self.workingDirectory = workingDirectory
        self.executable = absolute(executable)
        self.dataDirectory = dataDirectory.map(absolute)
        var options = options
        // More shards than runs would leave tasks with nothing to do.
        options.shards = max(1, min(options.shards, suite.entries.count))
        self.options = options
    }

    /// Where the scripts and the jobs' logs go: `OUT/slurm/`.
    public var scriptFolder: URL { folder.appendingPathComponent("slurm") }
    public var arrayScript: URL { scriptFolder.appendingPathComponent("train.sbatch") }
    public var collectScript: URL { scriptFolder.appendingPathComponent("collect.sbatch") }

    private func quoted(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,".contains($0) }) ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private func header(job: String, output: String, extra: [String]) -> String {
        var lines = ["#!/bin/bash",
                     "#SBATCH --job-name=\(job)"] + extra + [
                     "#SBATCH --nodes=1",
                     "#SBATCH --ntasks=1",
                     "#SBATCH --cpus-per-task=\(options.cpusPerTask)",
                     "#SBATCH --time=\(options.time)",
                     // #SBATCH lines are not read by a shell: no quoting there.
                     "#SBATCH --chdir=\(workingDirectory)",
                     "#SBATCH --output=\(scriptFolder.path)/\(output)"]
        if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let account = options.account { lines.append("#SBATCH --account=\(account)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private var commonArguments: String {
        "--out \(quoted(folder.path))" + (dataDirectory.map { " --data-dir \(quoted($0))" } ?? "")
    }

    /// The job array: task I runs shard I/N, resuming whatever an earlier submission left.
    public var arrayScriptText: String {
        header(job: "cnnbench-\(suiteName)", output: "train-%A_%a.out",
               extra: ["#SBATCH --array=1-\(options.shards)",
                       // SIGTERM two minutes before the time limit: the run saves a checkpoint and stops.
                       "#SBATCH --signal=B:TERM@120"]) + """
        # Written by `cnnbench slurm`: task I of this array trains runs I, I+\(options.shards), ... of suite \(suiteName)
        # (in suite order) into \(folder.path). Submitting it again resumes every unfinished run from its checkpoint.
        set -euo pipefail
        export CNNBENCH_THREADS="${SLURM_CPUS_PER_TASK:-\(options.cpusPerTask)}"
        exec \(quoted(executable)) run \(quoted(suitePath)) --shard "${SLURM_ARRAY_TASK_ID}/\(options.shards)" --resume \(commonArguments)

        """
    }

    /// The job after the array: results, timings, figures and the report.
    public var collectScriptText: String {
        header(job: "cnnbench-\(suiteName)-collect", output: "collect-%j.out", extra: []) + """
        # Written by `cnnbench slurm`: runs once every task of the array finished (afterok); gathers the runs'
        # results into \(folder.path)/results.json, times the suite's models, draws its figures and writes its report.
        set -euo pipefail
        export CNNBENCH_THREADS="${SLURM_CPUS_PER_TASK:-\(options.cpusPerTask)}"
        exec \(quoted(executable)) run \(quoted(suitePath)) --collect \(commonArguments)

        """
    }

    /// Writes both scripts into `OUT/slurm/`.
    public func write() throws {
        try FileManager.default.createDirectory(at: scriptFolder, withIntermediateDirectories: true)
        for (url, text) in [(arrayScript, arrayScriptText), (collectScript, collectScriptText)] {
            try SuiteResults.atomicWrite(Data(text.utf8), to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
    }

    /// Submits the array, then the collecting job with `--dependency=afterok:<array>`; returns both job ids.
    /// - Throws: `ConfigurationError` with sbatch's own message when a submission fails.
    public func submit(sbatch: String = "sbatch") throws -> (array: String, collect: String) {
        let array = try Self.run(sbatch, ["--parsable", arrayScript.path])
        // A failed array task leaves the collecting job's dependency unsatisfiable: cancel it rather than leave it pending.
        let collect = try Self.run(sbatch, ["--parsable", "--dependency=afterok:\(array)", "--kill-on-invalid-dep=yes", collectScript.path])
        return (array, collect)
    }

    /// Runs sbatch; returns the job id (`--parsable` prints "id" or "id;cluster").
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw ConfigurationError("could not start \(program): \(error); is Slurm installed here (a login node)?")
        }
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let id = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard process.terminationStatus == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw ConfigurationError("\(program) \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): "
                                     + (err + out).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return id
    }
}
