import CNNEngine
import Foundation

/// Small file-system helpers for the figure commands.
public enum FileManagerShim {
    /// Creates the folder that will hold `path`, if missing.
    public static func createParent(of path: String) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL
        // Each missing folder made with mkdir, so a failure reads as the system's reason
        // ("Permission denied", "Not a directory"), not Foundation's NSCocoaErrorDomain text.
        var missing: [String] = []
        var folder = parent
        var info = stat()
        while stat(folder.path, &info) != 0 && folder.path != "/" {
            missing.append(folder.path)
            folder.deleteLastPathComponent()
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ConfigurationError("\(path): cannot write there: \(folder.path) is a file, not a folder")
        }
        for created in missing.reversed() where mkdir(created, 0o755) != 0 && errno != EEXIST {
            throw ConfigurationError("\(path): cannot create the folder \(created): \(String(cString: strerror(errno)))")
        }
    }
}
