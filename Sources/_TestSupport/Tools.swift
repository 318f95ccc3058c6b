// The package's executables run as a user runs them, for tests that go through the command line.
import Foundation

/// Runs `tool` (`cnnbench`, `cnnviz`: the one `swift build` put in .build/debug or .build/release) with
/// `arguments` in `directory` (the repository's root when nil); standard output and error together.
/// - Returns: the exit status and the output, or status -1 and a message when the tool is not built.
public func runTool(_ tool: String, _ arguments: [String], in directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let root = repositoryRoot()
    let candidates = [".build/debug/\(tool)", ".build/release/\(tool)"].map { root.appendingPathComponent($0).path }
    guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        return (-1, "\(tool) is not built (looked in \(candidates))")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.currentDirectoryURL = directory ?? root
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
