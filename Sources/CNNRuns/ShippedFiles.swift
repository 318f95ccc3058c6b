// Files that ship with the toolkit (`datasets/mnist`, `datasets/images`, `data/*.csv`), found from the working
// directory or a folder above it, else from the folder of the running executable upwards (`.build/release/cnnviz`).

import Foundation

/// Finds files that ship with the toolkit, so commands work from any working directory.
public enum ShippedFiles {
    /// `relativePath` under the working directory (as given) or a folder above it, else under the executable's
    /// folder or a folder above that; else `relativePath` unchanged, so that an error names it.
    public static func locate(_ relativePath: String) -> String {
        let manager = FileManager.default
        if manager.fileExists(atPath: relativePath) { return relativePath }
        let starts = [
            URL(fileURLWithPath: manager.currentDirectoryPath).deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent(),
        ]
        for start in starts {
            var folder = start
            for _ in 0..<6 {
                let candidate = folder.appendingPathComponent(relativePath).path
                if manager.fileExists(atPath: candidate) { return candidate }
                folder.deleteLastPathComponent()
            }
        }
        return relativePath
    }
}
