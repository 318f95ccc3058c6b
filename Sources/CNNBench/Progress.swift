// Progress of long work: one rewritten line with rate and ETA on a terminal, plain lines otherwise.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reports progress through a task of known size.
public final class ProgressReporter {
    private let isTerminal: Bool
    private let write: (String) -> Void
    private var title = ""
    private var total = 1
    private var unit = ""
    private var started = 0.0
    private var doneAtStart = 0
    private var lastDraw = 0.0
    private var nextPlainFraction = 0.25

    /// A reporter writing to standard error, animated when standard error is a terminal.
    public convenience init() {
        self.init(isTerminal: isatty(2) != 0) { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// A reporter writing through `write`; `isTerminal` chooses the rewritten line over plain lines.
    public init(isTerminal: Bool, write: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Starts a task of `total` units (images, batches), of which `done` were finished before (a
    /// resumed epoch): the rate and ETA count only the units done from now on.
    public func begin(_ title: String, total: Int, unit: String, done: Int = 0) {
        self.title = title; self.total = max(total, 1); self.unit = unit
        started = monotonicSeconds(); lastDraw = 0; doneAtStart = done
        nextPlainFraction = (Double(done) / Double(self.total) / 0.25).rounded(.down) * 0.25 + 0.25
    }

    /// Reports `done` units finished, with a short status (the running loss).
    public func update(done: Int, status: String = "") {
        let now = monotonicSeconds()
        let fraction = Double(done) / Double(total)
        let elapsed = now - started
        let rate = elapsed > 0 ? Double(done - doneAtStart) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if isTerminal {
            guard now - lastDraw >= 0.2 || done >= total else { return }
            lastDraw = now
            let width = 24, filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write(String(format: "\r\u{1B}[K%@ [%@] %3.0f%%  %.0f %@/s  ETA %@  %@", title as NSString, bar as NSString,
                         fraction * 100, rate, unit as NSString, Self.clock(eta) as NSString, status as NSString))
        } else if fraction >= nextPlainFraction && done < total {
            nextPlainFraction += 0.25
            write(String(format: "%@: %.0f%% (%d/%d %@), %.0f %@/s, ETA %@ %@\n", title as NSString, fraction * 100, done, total,
                         unit as NSString, rate, unit as NSString, Self.clock(eta) as NSString, status as NSString))
        }
    }

    /// Ends the task, clearing the progress line on a terminal.
    public func end() {
        if isTerminal { write("\r\u{1B}[K") }
    }

    /// 75 s as "1:15", 3700 s as "1:01:40".
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
