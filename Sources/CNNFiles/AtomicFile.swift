// The toolkit's one atomic writer: every file it writes (model files, activations, results, figures,
// reports) goes through `AtomicFile.write`. A reader sees either the old file or the complete new one,
// never half of either.
//
// The bytes are written under a hidden temporary name in the destination's directory (a rename is
// atomic only within one file system) with checked POSIX calls, synced, and renamed over the
// destination. A full disk or any other failure is an `AtomicFile.WriteError` with the system's
// reason, and the destination is left as it was. The writer holds an exclusive `flock` on its
// temporary file, so a temporary left by a killed write (whose lock died with it) is removed by the
// next write to the same destination.
import Foundation

/// Writes whole files atomically.
public enum AtomicFile {
    /// Why a write failed: the destination and the system's reason ("No space left on device").
    public struct WriteError: Error, CustomStringConvertible, Sendable, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
    /// - Throws: `WriteError` naming `path` when the file cannot be created, written or moved into place.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(WriteError) {
        let url = URL(fileURLWithPath: path)
        removeStaleTemporaries(of: url)
        let temporary = url.deletingLastPathComponent().appendingPathComponent("\(temporaryPrefix(of: url))\(UUID().uuidString).tmp").path
        func failure(_ what: String, _ code: Int32 = errno) -> WriteError {
            WriteError(path: path, reason: "\(what): \(String(cString: strerror(code)))")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create the file") }
        _ = flock(descriptor, LOCK_EX)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
            // Unlock before closing: a child forked meanwhile may hold a copy of the descriptor until it execs.
            _ = flock(descriptor, LOCK_UN)
            _ = Foundation.close(descriptor)
        }
        let array = Array(bytes)
        var failed: WriteError?
        array.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Foundation.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { failed = failure("cannot write the file", n < 0 ? errno : EIO); return }
                done += n
            }
        }
        if let failed { throw failed }
        guard fsync(descriptor) == 0 else { throw failure("cannot write the file") }
        _ = flock(descriptor, LOCK_UN)
        guard rename(temporary, path) == 0 else { throw failure("cannot move the new file into place") }
        renamed = true
    }

    /// ".model.h5.": the start of the hidden temporary names of writes to `url`.
    public static func temporaryPrefix(of url: URL) -> String { ".\(url.lastPathComponent)." }

    /// Removes temporaries of earlier writes to `url` that were killed: those no live writer holds locked.
    public static func removeStaleTemporaries(of url: URL) {
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
