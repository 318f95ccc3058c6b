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
                let fromEnvironment = ProcessInfo.processInfo.environment["CNNBENCH_THREADS"].flatMap(Int.init)
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

    // The BLAS is single-threaded under the engine's threads: set once, on first use.
    private static let blasSingleThreaded: Void = { cnn_blas_set_single_threaded() }()

    /// Runs `body(task)` for every task in `0..<taskCount` on up to `threadCount` threads.
    ///
    /// Tasks are taken in order from a shared counter; each task must write only its own outputs.
    public static func forEach(_ taskCount: Int, _ body: (Int) -> Void) {
        let threads = min(threadCount, taskCount)
        if threads <= 1 {
            for task in 0..<taskCount { body(task) }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if task >= taskCount { break }
                    work.value(task)
                }
            }
        }
    }
}

/// Carries a non-Sendable value (a raw pointer, a closure) into concurrent work whose
/// safety the engine guarantees by giving each task its own outputs.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
