// Clocks and machine readings for benchmarks: monotonic time, other processes' CPU use
// (from /proc/stat, as the PyTorch reference scripts report it), peak memory.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Seconds on a monotonic clock.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// CPU time used by other processes (and steal time) between `start()` and `otherCores()`, in cores.
///
/// Near 0 means the measurement ran on a quiet machine; above about 0.15, repeat it.
public struct OtherLoad {
    private var startTotalBusy: Double
    private var startOwn: Double
    private var startWall: Double

    public init() {
        startTotalBusy = Self.busyJiffies() ?? 0
        startOwn = Self.ownJiffies() ?? 0
        startWall = monotonicSeconds()
    }

    /// Cores' worth of CPU that other processes used since `init`.
    public func otherCores() -> Double {
        guard let busy = Self.busyJiffies(), let own = Self.ownJiffies() else { return 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let wall = monotonicSeconds() - startWall
        guard wall > 0 else { return 0 }
        return max(0, ((busy - startTotalBusy) - (own - startOwn)) / ticks / wall)
    }

    private static func busyJiffies() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
        return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    }

    private static func ownJiffies() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return user + system
    }
}

/// The process's peak resident memory in bytes (VmHWM), or nil where /proc is missing.
public func peakResidentBytes() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return kb * 1024
}

/// The median of a non-empty array.
public func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// The machine's CPU model name, from /proc/cpuinfo.
public func cpuModelName() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
          let colon = line.firstIndex(of: ":") else { return "unknown CPU" }
    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
}
