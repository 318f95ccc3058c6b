import Foundation

/// Small file-system helpers for the figure commands.
public enum FileManagerShim {
    /// Creates the folder that will hold `path`, if missing.
    public static func createParent(of path: String) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    }
}
