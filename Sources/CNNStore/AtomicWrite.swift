// Atomic writes: a reader sees either the old file or the complete new one, never half of either.
//
// The new file is written under a hidden temporary name in the destination's directory (a
// rename is atomic only within one file system), closed, synced, and renamed over the
// destination. When the closure throws, the temporary file is removed and the destination
// is left as it was.
import Foundation

extension HDF5File {
    /// Creates a file by running `body` on a temporary file and renaming it over `url` only when `body` succeeds.
    /// - Parameters:
    ///   - url: The destination; an existing file there is replaced only on success.
    ///   - body: Writes the contents; the file is closed after it returns, so do not keep it.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or `StoreError` when the file cannot be created, closed or renamed.
    @discardableResult
    public static func writeAtomically<Result>(to url: URL, _ body: (HDF5File) throws -> Result) throws -> Result {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        var renamed = false
        defer {
            if !renamed { try? FileManager.default.removeItem(at: temporary) }
        }
        let file = try HDF5File(creating: temporary)
        let result: Result
        do {
            result = try body(file)
        } catch {
            try? file.close()
            throw error
        }
        try file.close()
        syncToDisk(temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError(.operationFailed, file: url.path, reason: "cannot move the new file into place: \(reason)")
        }
        renamed = true
        return result
    }

    /// Flushes the file's data to the disk, so that the rename never publishes an empty file after a crash.
    private static func syncToDisk(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = Foundation.close(descriptor)
    }
}
