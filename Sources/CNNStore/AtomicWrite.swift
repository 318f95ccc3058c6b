// Atomic HDF5 writes: the new file is built in memory (HDF5's core driver), then its bytes go through
// the toolkit's one atomic writer (CNNFiles' `AtomicFile`: temporary file, fsync, rename; stale
// temporaries of killed writes removed). HDF5 never writes to the disk itself, so it cannot fail
// (or crash) half-way through a flush; when anything throws, the destination is left as it was.
import CNNFiles
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
        try writeFile(image, to: url)
        return result
    }

    /// Writes `bytes` over `url` through the toolkit's one atomic writer, failures as `StoreError`.
    static func writeFile(_ bytes: some Collection<UInt8>, to url: URL) throws {
        do { try AtomicFile.write(bytes, to: url.path) } catch {
            throw StoreError(.operationFailed, file: url.path, reason: error.reason)
        }
    }
}
