// The engine's threads. Work is split into tasks whose boundaries depend on the problem alone,
// never on the thread count, and every reduction runs in a fixed order, so results are
// bit-identical whatever the number of threads.
import Dispatch
import Foundation
import Synchronization
import CBLAS

/// The engine's thread settings: how many threads split each batch.
public enum Parallel {
    private static let configured = Mutex<Int?>(nil)

    /// The number of threads the engine uses: `CNNBENCH_THREADS` if set, else every core.
    public static var threadCount: Int {
        get {
            configured.withLock { value in
                if let value { return value }
                blasSingleThreaded
                let fromEnvironment = (try? threadCountFromEnvironment()) ?? nil
                let n = max(1, fromEnvironment ?? ProcessInfo.processInfo.activeProcessorCount)
                value = n
                return n
            }
        }
        set {
            precondition(newValue >= 1, "Parallel.threadCount must be at least 1, got \(newValue)")
            blasSingleThreaded
            configured.withLock { $0 = newValue }
        }
    }

    /// The thread count set by the environment variable `CNNBENCH_THREADS`, or nil when it is unset.
    /// - Throws: `ConfigurationError` when it is set to anything but a whole number from 1 to 1024.
    public static func threadCountFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int? {
        guard let text = environment["CNNBENCH_THREADS"] else { return nil }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), (1...1024).contains(n) else {
            throw ConfigurationError("CNNBENCH_THREADS must be a whole number from 1 to 1024, got \"\(text)\"; unset it to use every core")
        }
        return n
    }

    // The BLAS is single-threaded under the engine's threads: set once, on first use.
    private static let blasSingleThreaded: Void = { cnn_blas_set_single_threaded() }()

    /// The number of workers `forEach` uses for `taskCount` tasks: size per-worker scratch space by it.
    public static func workerCount(for taskCount: Int) -> Int { max(1, min(threadCount, taskCount)) }

    /// Runs `body(task, worker)` for every task in `0..<taskCount` on up to `threadCount` threads.
    ///
    /// Tasks are taken in order from a shared counter; `worker` (below `workerCount(for:)`) names
    /// the thread's scratch space. Each task must write only its own outputs, so that which
    /// worker runs it cannot change the result.
    public static func forEach(_ taskCount: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        let workers = workerCount(for: taskCount)
        if workers <= 1 {
            cnn_flush_denormals()
            for task in 0..<taskCount { body(task, 0) }
            return
        }
        let next = Atomic<Int>(0)
        // A path set by `InstructionSet.withActive` is task-local: the workers take the caller's.
        let isa = InstructionSet.scoped
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                // Every engine thread flushes denormals to zero (as oneDNN and TensorFlow do).
                cnn_flush_denormals()
                InstructionSet.$scoped.withValue(isa) {
                    while true {
                        let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        if task >= taskCount { break }
                        work.value(task, worker)
                    }
                }
            }
        }
    }

    /// Splits `0..<count` into blocks of `blockSize` (fixed by the problem, not the threads) and runs them in parallel.
    public static func forEachBlock(_ count: Int, blockSize: Int, _ body: (_ range: Range<Int>, _ worker: Int) -> Void) {
        let size = max(1, blockSize)
        let blocks = (count + size - 1) / size
        forEach(blocks) { b, worker in body(b * size..<min(count, (b + 1) * size), worker) }
    }
}

/// Carries a non-Sendable value (a raw pointer, a closure) into concurrent work whose
/// safety the engine guarantees by giving each task its own outputs.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
