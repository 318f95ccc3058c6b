// Ctrl-C during training: the first stops the run after it saves; a second one ends the program.
import Synchronization
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Whether the user asked to stop (SIGINT or SIGTERM), checked by the training loop after each batch.
public enum Interrupt {
    private static let flag = Atomic<Bool>(false)

    /// Routes SIGINT and SIGTERM to the flag; a second signal ends the program at once.
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if Interrupt.flag.exchange(true, ordering: .relaxed) { _exit(128 + signal) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// True once a stop was asked for.
    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// Asks for a stop (tests use this as a signal would).
    public static func request() { flag.store(true, ordering: .relaxed) }

    /// Clears the flag.
    public static func reset() { flag.store(false, ordering: .relaxed) }
}
