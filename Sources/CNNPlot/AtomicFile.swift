// Writing a finished file in one step, so a reader never sees half a figure.

import CNNFiles
import Foundation

/// The directory that will hold `path` ("." for a bare file name).
func directory(of path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().path
}

/// Throws unless the directory of `path` exists and can be written.
func checkWritableDirectory(for path: String) throws {
    let dir = directory(of: path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue,
          FileManager.default.isWritableFile(atPath: dir)
    else { throw PlotError.unwritableDirectory(path: path, directory: dir) }
}

/// Writes `bytes` over `path` through the toolkit's one atomic writer (temporary file, fsync, rename).
func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    try checkWritableDirectory(for: path)
    do { try AtomicFile.write(bytes, to: path) } catch {
        throw PlotError.writeFailed(path: path, reason: error.reason)
    }
}
