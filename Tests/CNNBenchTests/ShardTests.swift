import CNNBench
import CNNEngine
import CNNStore
import Foundation
import Testing
import _TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite("Suites over several processes: shards, locks, status, collect, Slurm scripts", .serialized)
struct ShardTests {
    func tinySuite(in folder: URL) throws -> Suite {
        let mnist = repositoryRoot().appendingPathComponent("datasets/mnist").path
        let url = folder.appendingPathComponent("tiny.yaml")
        try """
        name: tiny
        defaults:
          dataset: mnist
          data_dir: \(mnist)
          train_limit: 300
          validation: 100
          batch_size: 50
          epochs: 1
        runs:
          - model: logreg
            seeds: [0, 1, 2]
          - model: mlp
        """.write(to: url, atomically: true, encoding: .utf8)
        return try Suite.load(from: url.path)
    }

    func weights(_ file: URL) throws -> [String: [Float]] {
        let contents = try ModelFile.read(from: file)
        var all: [String: [Float]] = [:]
        for (path, tensor) in contents.weights { all["w/" + path] = tensor.values }
        for (key, values) in contents.optimizer?.state ?? [:] { all["o/" + key] = values }
        return all
    }

    @Test func shardsAreFixedByPositionInTheSuite() throws {
        let shard = try SuiteShard(parsing: "2/3")
        #expect((0..<7).filter(shard.owns) == [1, 4])
        #expect(shard.description == "2/3")
        // Every run belongs to exactly one shard.
        let shards = try (1...3).map { try SuiteShard(index: $0, count: 3) }
        #expect((0..<10).allSatisfy { i in shards.filter { $0.owns(i) }.count == 1 })
        for bad in ["0/2", "3/2", "1-2", "a/b", "1/0"] {
            #expect(throws: ConfigurationError.self) { try SuiteShard(parsing: bad) }
        }
        let e = #expect(throws: ConfigurationError.self) { try SuiteShard(parsing: "3/2") }
        #expect(e?.description == "shard 3 of 2 does not exist: shards are numbered 1 to 2")
    }

    @Test func twoShardsAndACollectMakeTheFolderOneProcessMakes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let suite = try tinySuite(in: folder)
        #expect(suite.entries.map(\.name) == ["logreg-mnist-s0", "logreg-mnist-s1", "logreg-mnist-s2", "mlp-mnist"])
        let single = folder.appendingPathComponent("single"), sharded = folder.appendingPathComponent("sharded")
        let (reference, done) = try SuiteRunner(suite: suite, folder: single, resume: false, commandLine: "one").run(progress: nil, log: { _ in })
        #expect(done)

        var lines: [String] = []
        let first = try SuiteRunner(suite: suite, folder: sharded, resume: false, commandLine: "s1", shard: SuiteShard(parsing: "1/2"))
        _ = try first.run(progress: nil, log: { lines.append($0) })
        #expect(lines.first == "shard 1/2: runs 1, 3 of 4")
        #expect(!FileManager.default.fileExists(atPath: sharded.appendingPathComponent("results.json").path))
        #expect(RunStatus.all(suite: suite, folder: sharded).map(\.state) == [.finished, .notStarted, .finished, .notStarted])
        let early = #expect(throws: ConfigurationError.self) {
            try SuiteRunner(suite: suite, folder: sharded, resume: false, commandLine: "c").collect(log: { _ in })
        }
        #expect(early?.description.contains("2 of 4 run(s) not done: logreg-mnist-s1 (not started), mlp-mnist (not started)") == true)

        _ = try SuiteRunner(suite: suite, folder: sharded, resume: true, commandLine: "s2", shard: SuiteShard(parsing: "2/2"))
            .run(progress: nil, log: { _ in })
        let (collected, finished) = try SuiteRunner(suite: suite, folder: sharded, resume: false, commandLine: "collect").collect(log: { _ in })
        #expect(finished)
        #expect(collected.runs.map(\.name) == reference.runs.map(\.name))
        #expect(collected.runs.map(\.testError) == reference.runs.map(\.testError))
        #expect(try SuiteResults.read(from: sharded).runs.count == 4)
        for entry in suite.entries {
            let a = try weights(single.appendingPathComponent("\(entry.name)/model.h5"))
            let b = try weights(sharded.appendingPathComponent("\(entry.name)/model.h5"))
            #expect(a.keys.sorted() == b.keys.sorted())
            #expect(a.keys.allSatisfy { bitIdentical(a[$0]!, b[$0]!) }, "\(entry.name): weights differ")
            #expect(!FileManager.default.fileExists(atPath: sharded.appendingPathComponent("\(entry.name)/running.json").path))
        }
        #expect(RunStatus.table(RunStatus.all(suite: suite, folder: sharded)).hasSuffix("4 run(s): 4 finished"))
    }

    @Test func statusTellsRunningFromInterruptedByTheLock() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let suite = try tinySuite(in: folder)
        let out = folder.appendingPathComponent("out")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        func lock(_ run: String, host: String, pid: Int32, age: TimeInterval) throws {
            let runFolder = out.appendingPathComponent(run)
            try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
            let beat = Date().addingTimeInterval(-age)
            let record = RunLock.Record(host: host, pid: pid, started: beat, heartbeat: beat, shard: "1/2", job: "7_1")
            try encoder.encode(record).write(to: runFolder.appendingPathComponent(RunLock.fileName))
        }
        try lock("logreg-mnist-s0", host: RunLock.hostName, pid: getpid(), age: 0)          // this process: alive
        try lock("logreg-mnist-s1", host: RunLock.hostName, pid: Int32.max - 1, age: 0)     // no such process
        try lock("logreg-mnist-s2", host: "node-elsewhere", pid: 1, age: 500)               // silent for 8 minutes
        try lock("mlp-mnist", host: "node-elsewhere", pid: 1, age: 5)                       // a recent heartbeat
        let statuses = RunStatus.all(suite: suite, folder: out)
        #expect(statuses.map(\.state) == [.running, .interrupted, .interrupted, .running])
        #expect(statuses[0].detail.contains("pid \(getpid()) on \(RunLock.hostName), job 7_1, shard 1/2"))
        #expect(statuses[1].detail.contains("died"))

        // A live lock keeps a second process off the run; a dead one is taken over.
        let held = #expect(throws: ConfigurationError.self) { try RunLock(folder: out.appendingPathComponent("logreg-mnist-s0"), shard: nil) }
        #expect(held?.description.contains("is being trained by pid \(getpid())") == true)
        let taken = try RunLock(folder: out.appendingPathComponent("logreg-mnist-s1"), shard: nil)
        #expect(RunStatus.all(suite: suite, folder: out)[1].state == .running)
        taken.release()
        #expect(RunStatus.all(suite: suite, folder: out)[1].state == .notStarted)
    }

    @Test func slurmScriptsRunTheShardsThenCollect() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let suite = try tinySuite(in: folder)
        let jobs = try SlurmJobs(suite: suite, suitePath: "tiny.yaml", folder: "runs/tiny", workingDirectory: folder.path,
                                 executable: "/opt/cnnbench/bin/cnnbench", dataDirectory: nil,
                                 options: .init(shards: 9, partition: "debug", time: "10:00", cpusPerTask: 3))
        #expect(jobs.options.shards == 4)   // no more tasks than runs
        let array = jobs.arrayScriptText
        for line in ["#SBATCH --array=1-4", "#SBATCH --partition=debug", "#SBATCH --time=10:00", "#SBATCH --cpus-per-task=3",
                     "#SBATCH --chdir=\(folder.path)", "#SBATCH --signal=B:TERM@120",
                     "exec /opt/cnnbench/bin/cnnbench run \(folder.path)/tiny.yaml --shard \"${SLURM_ARRAY_TASK_ID}/4\" --resume --out \(folder.path)/runs/tiny"] {
            #expect(array.contains(line + "\n"), "train.sbatch lacks: \(line)")
        }
        #expect(jobs.collectScriptText.contains("exec /opt/cnnbench/bin/cnnbench run \(folder.path)/tiny.yaml --collect --out \(folder.path)/runs/tiny\n"))
        #expect(!jobs.collectScriptText.contains("--array"))
        #expect(throws: ConfigurationError.self) {
            try SlurmJobs(suite: suite, suitePath: "tiny.yaml", folder: folder.path, workingDirectory: folder.path, executable: "x",
                          dataDirectory: nil, options: .init(shards: 2, time: "ten minutes"))
        }

        // Submission, with a stand-in sbatch that records its arguments and answers as `--parsable` does.
        try jobs.write()
        let log = folder.appendingPathComponent("sbatch.log")
        let fake = folder.appendingPathComponent("sbatch")
        try """
        #!/bin/sh
        echo "$@" >> \(log.path)
        n=$(wc -l < \(log.path)); echo "$((100 + n));cluster"
        """.write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let ids = try jobs.submit(sbatch: fake.path)
        #expect(ids.array == "101" && ids.collect == "102")
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(calls == ["--parsable \(jobs.arrayScript.path)",
                          "--parsable --dependency=afterok:101 --kill-on-invalid-dep=yes \(jobs.collectScript.path)"])
        let failing = folder.appendingPathComponent("sbatch-fails")
        try "#!/bin/sh\necho 'sbatch: error: invalid partition specified: debug' >&2\nexit 1\n".write(to: failing, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: failing.path)
        let e = #expect(throws: ConfigurationError.self) { try jobs.submit(sbatch: failing.path) }
        #expect(e?.description.contains("invalid partition specified: debug") == true)
    }
}
