// Suites split over processes (Slurm array tasks, or several shells): which runs a shard owns, the
// lock file that says a run is in progress, and the status of every run of a suite folder.
//
// Shards share the suite folder (a shared file system on a cluster). Each run writes only into its
// own folder: `model.h5`, `result.json` (its row of the results table) and, while it trains,
// `running.json` (the lock: pid, host, start and a heartbeat rewritten every 30 seconds).
// `cnnbench run SUITE --collect` gathers the rows into results.json once every run is done.
import CNNEngine
import CNNStore
import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Shard `index` of `count`: the runs whose position in the suite, counted from 0, is `index - 1` modulo `count`.
///
/// The assignment depends on the suite alone, never on timing, so a re-submitted shard finds its own
/// runs (and their checkpoints) again.
public struct SuiteShard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based, as Slurm's `--array=1-N` numbers its tasks.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ConfigurationError("a suite needs at least 1 shard, got \(count)") }
        guard (1...count).contains(index) else {
            throw ConfigurationError("shard \(index) of \(count) does not exist: shards are numbered 1 to \(count)")
        }
        self.index = index; self.count = count
    }

    /// Parses "I/N" (`--shard 2/4`).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ConfigurationError("a shard is written I/N (shard I of N, from 1), got \"\(text)\"")
        }
        try self.init(index: i, count: n)
    }

    /// Whether the run at `position` (from 0, in suite order) belongs to this shard.
    public func owns(_ position: Int) -> Bool { position % count == index - 1 }

    public var description: String { "\(index)/\(count)" }
}

/// The lock file of a run in progress, `<run>/running.json`, with a heartbeat rewritten every 30 seconds.
public final class RunLock: @unchecked Sendable {
    /// What the lock file holds.
    public struct Record: Codable, Sendable, Equatable {
        public var host: String
        public var pid: Int32
        public var started: Date
        public var heartbeat: Date
        /// The shard ("2/4"), or nil for a whole-suite run.
        public var shard: String?
        /// The Slurm job ("1234_2"), when there is one.
        public var job: String?

        public init(host: String, pid: Int32, started: Date, heartbeat: Date, shard: String?, job: String?) {
            self.host = host; self.pid = pid; self.started = started; self.heartbeat = heartbeat; self.shard = shard; self.job = job
        }
    }

    public static let fileName = "running.json"
    public static let heartbeatInterval: TimeInterval = 30
    /// A lock from another host whose heartbeat is older than this belongs to a process that died.
    public static let staleAfter: TimeInterval = 120

    public let url: URL
    private var record: Record
    private let queue = DispatchQueue(label: "cnnbench.runlock")
    private var timer: DispatchSourceTimer?

    /// Takes the lock of the run in `folder`, replacing one left by a dead process.
    /// - Throws: `ConfigurationError` when a live process holds it.
    public init(folder: URL, shard: SuiteShard?) throws {
        url = folder.appendingPathComponent(Self.fileName)
        let now = Date()
        record = Record(host: Self.hostName, pid: getpid(), started: now, heartbeat: now, shard: shard?.description,
                        job: Self.slurmJob)
        if let held = Self.read(url) {
            if Self.isAlive(held) {
                throw ConfigurationError("\(folder.lastPathComponent) is being trained by pid \(held.pid) on \(held.host) "
                                         + "(heartbeat \(Int(now.timeIntervalSince(held.heartbeat))) s ago); skipped")
            }
            try? FileManager.default.removeItem(at: url)
        }
        // O_EXCL: of two processes starting the same run at once, one wins.
        let fd = open(url.path, O_CREAT | O_EXCL | O_WRONLY, 0o644)
        guard fd >= 0 else { throw ConfigurationError("\(folder.lastPathComponent) was just taken by another process; skipped") }
        close(fd)
        try write()
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + Self.heartbeatInterval, repeating: Self.heartbeatInterval)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.record.heartbeat = Date()
            try? self.write()
        }
        timer.resume()
        self.timer = timer
    }

    /// Stops the heartbeat and removes the lock file.
    public func release() {
        queue.sync {
            timer?.cancel()
            timer = nil
        }
        try? FileManager.default.removeItem(at: url)
    }

    deinit { timer?.cancel() }

    private func write() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try SuiteResults.atomicWrite(try encoder.encode(record), to: url)
    }

    /// The lock file's record, or nil when there is none (or it is half written).
    public static func read(_ url: URL) -> Record? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(Record.self, from: data)
    }

    /// Alive: on this host, the process exists; on another, the heartbeat is recent.
    public static func isAlive(_ record: Record, now: Date = Date()) -> Bool {
        if record.host == hostName { return kill(record.pid, 0) == 0 || errno == EPERM }
        return now.timeIntervalSince(record.heartbeat) < staleAfter
    }

    /// This machine's short host name (as Slurm's `hostname -s`).
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.split(separator: ".").first.map(String.init) ?? name
    }

    /// "JOB_TASK" inside a Slurm array task, "JOB" inside a plain job, else nil.
    static var slurmJob: String? {
        let environment = ProcessInfo.processInfo.environment
        if let job = environment["SLURM_ARRAY_JOB_ID"], let task = environment["SLURM_ARRAY_TASK_ID"] { return "\(job)_\(task)" }
        return environment["SLURM_JOB_ID"]
    }
}

/// Where one run of a suite folder stands.
public struct RunStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        case finished, running, failed, interrupted
        case notStarted = "not started"
    }

    public var name: String
    public var state: State
    /// Epochs in the model file, and who holds the lock or why the run failed.
    public var detail: String

    /// The status of every run of `suite` in `folder`, in suite order.
    ///
    /// running: a lock file whose process lives (same host) or whose heartbeat is recent (other hosts);
    /// interrupted: a checkpoint, or a lock left by a process that died; finished and failed: the run's
    /// `result.json`; not started: nothing yet.
    public static func all(suite: Suite, folder: URL, now: Date = Date()) -> [RunStatus] {
        suite.entries.map { entry in
            let runFolder = folder.appendingPathComponent(entry.name)
            let checkpoint = ModelFile.isModelFile(runFolder.appendingPathComponent("model.h5"))
                ? (try? ModelFile.read(from: runFolder.appendingPathComponent("model.h5")))?.training?.epochsCompleted : nil
            let epochs = checkpoint.map { "epoch \($0)/\(entry.recipe.epochs)" } ?? ""
            if let lock = RunLock.read(runFolder.appendingPathComponent(RunLock.fileName)) {
                let age = Int(now.timeIntervalSince(lock.heartbeat))
                let who = "pid \(lock.pid) on \(lock.host)" + (lock.job.map { ", job \($0)" } ?? "") + (lock.shard.map { ", shard \($0)" } ?? "")
                if RunLock.isAlive(lock, now: now) {
                    return RunStatus(name: entry.name, state: .running, detail: join(epochs, "\(who), heartbeat \(age) s ago"))
                }
                return RunStatus(name: entry.name, state: .interrupted, detail: join(epochs, "\(who) died (heartbeat \(age) s ago); --resume continues"))
            }
            if let row = SuiteRunner.readRow(in: runFolder) {
                if row.status == "finished" { return RunStatus(name: entry.name, state: .finished, detail: epochs) }
                if row.status.hasPrefix("failed") { return RunStatus(name: entry.name, state: .failed, detail: String(row.status.dropFirst(8))) }
                return RunStatus(name: entry.name, state: .interrupted, detail: join(epochs, "stopped; --resume continues"))
            }
            if checkpoint != nil { return RunStatus(name: entry.name, state: .interrupted, detail: join(epochs, "--resume continues")) }
            return RunStatus(name: entry.name, state: .notStarted, detail: "")
        }
    }

    private static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a), \(b)" }

    /// The status table, with a count per state on the last line.
    public static func table(_ statuses: [RunStatus]) -> String {
        var rows = [["run", "status", "detail"]]
        for s in statuses { rows.append([s.name, s.state.rawValue, s.detail]) }
        let counts = [State.finished, .running, .failed, .interrupted, .notStarted].compactMap { state -> String? in
            let n = statuses.filter { $0.state == state }.count
            return n > 0 ? "\(n) \(state.rawValue)" : nil
        }
        return alignedTable(rows, rightAligned: 99...99) + "\n" + "\(statuses.count) run(s): " + counts.joined(separator: ", ")
    }
}
