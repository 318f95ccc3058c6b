// Atomic writes: a reader sees either the old file or the complete new one, never half of either.
//
// The new file is built in memory (HDF5's core driver), then its bytes are written under a hidden
// temporary name in the destination's directory (a rename is atomic only within one file system)
// with checked POSIX calls, synced, and renamed over the destination. A full disk or any other
// write failure is a `StoreError`; HDF5 never writes to the disk itself, so it cannot fail (or
// crash) half-way through a flush. When anything throws, the temporary file is removed and the
// destination is left as it was. The writer holds an exclusive `flock` on its temporary file, so
// a temporary left by a killed write (whose lock died with it) is removed by the next write.
import Foundation

extension HDF5File {
    /// Creates a file by running `body` on a new in-memory file and moving its bytes over `url` only when `body` succeeds.
    /// - Parameters:
    ///   - url: The destination; an existing file there is replaced only on success.
    ///   - body: Writes the contents; the file is closed after it returns, so do not keep it.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or `StoreError` when the file cannot be created, written (a
    ///   full disk, no permission) or renamed.
    @discardableResult
    public static func writeAtomically<Result>(to url: URL, _ body: (HDF5File) throws -> Result) throws -> Result {
        let directory = url.deletingLastPathComponent()
        removeStaleTemporaries(of: url)
        let temporary = directory.appendingPathComponent("\(temporaryPrefix(of: url))\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(.operationFailed, file: url.path, reason: "cannot create the file: \(String(cString: strerror(errno)))")
        }
        _ = flock(descriptor, LOCK_EX)
        var renamed = false
        defer {
            if !renamed { unlink(temporary.path) }
            // Unlock before closing: a child process forked meanwhile may hold a copy of the descriptor
            // until it execs, and the lock would keep HDF5 (which locks files it opens) out of the new file.
            _ = flock(descriptor, LOCK_UN)
            _ = Foundation.close(descriptor)
        }
        let file = try HDF5File(creatingInMemory: url)
        let result: Result
        let image: [UInt8]
        do {
            result = try body(file)
            image = try file.fileImage()
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        try writeAll(image, to: descriptor, file: url.path)
        guard fsync(descriptor) == 0 else {
            throw StoreError(.operationFailed, file: url.path, reason: "cannot write the file: \(String(cString: strerror(errno)))")
        }
        _ = flock(descriptor, LOCK_UN)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError(.operationFailed, file: url.path, reason: "cannot move the new file into place: \(reason)")
        }
        renamed = true
        return result
    }

    /// ".model.h5.": the start of the hidden temporary names of writes to `url`.
    static func temporaryPrefix(of url: URL) -> String { ".\(url.lastPathComponent)." }

    /// Writes every byte or throws with the system's reason (ENOSPC: "No space left on device").
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, file: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Foundation.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw StoreError(.operationFailed, file: file, reason: "cannot write the file: \(String(cString: strerror(n < 0 ? errno : EIO)))")
                }
                done += n
            }
        }
    }

    /// Removes temporaries of earlier writes to `url` that were killed: those no live writer holds locked.
    static func removeStaleTemporaries(of url: URL) {
        let directory = url.deletingLastPathComponent()
        let prefix = temporaryPrefix(of: url)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            // Only our names: the prefix, a UUID, ".tmp".
            let middle = name.dropFirst(prefix.count).dropLast(4)
            guard UUID(uuidString: String(middle)) != nil else { continue }
            let path = directory.appendingPathComponent(name).path
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { continue }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
            _ = Foundation.close(descriptor)
        }
    }
}
