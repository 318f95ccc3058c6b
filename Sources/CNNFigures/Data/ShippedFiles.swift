// Files shipped in the repository (`data/*.csv`, `datasets/mnist`), found from the working directory
// or, failing that, from the folder of the running executable upwards (`.build/release/cnnviz`).

import Foundation

/// Finds files that ship with the toolkit, so commands work from any working directory.
public enum ShippedFiles {
    /// `relativePath` under the working directory if it exists there, else under the first ancestor of
    /// the executable's folder that has it, else `relativePath` unchanged (so an error names it).
    public static func locate(_ relativePath: String) -> String {
        let manager = FileManager.default
        if manager.fileExists(atPath: relativePath) { return relativePath }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(relativePath).path
            if manager.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return relativePath
    }
}
