// Writing a finished file in one step, so a reader never sees half a figure.

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

/// Writes `bytes` to a temporary name beside `path`, then renames it over `path`.
func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    try checkWritableDirectory(for: path)
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        .path
    guard let file = fopen(temporary, "wb") else {
        throw PlotError.writeFailed(path: path, reason: String(cString: strerror(errno)))
    }
    let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
    let closed = fclose(file) == 0
    guard written == bytes.count, flushed, closed else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw PlotError.writeFailed(path: path, reason: reason)
    }
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw PlotError.writeFailed(path: path, reason: reason)
    }
}
