import ArgumentParser
import CNNEngine
import Foundation

/// `--threads N`, shared by every command that computes.
struct ThreadOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Engine threads (default: CNNBENCH_THREADS, else every core).")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be a whole number from 1 to 1024, got \(threads)") }
        if threads == nil {
            do { _ = try Parallel.threadCountFromEnvironment() } catch { throw ValidationError("\(error)") }
        }
    }

    /// Sets the engine's thread count if one was given.
    func apply() { if let threads { Parallel.threadCount = threads } }
}

/// Parses "CxHxW" (or "HxW" for one channel).
func parseShape(_ text: String, option: String) throws -> [Int] {
    let parts = text.lowercased().split(separator: "x").map { Int($0) }
    guard (2...3).contains(parts.count), parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("\(option) must look like 3x32x32 (channels x height x width), got \"\(text)\"")
    }
    let values = parts.compactMap { $0 }
    return values.count == 2 ? [1] + values : values
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
