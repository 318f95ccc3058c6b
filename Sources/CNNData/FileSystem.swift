// Files and folders through the C library, so that CNNData needs no Foundation.

import CNNEngine

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Whether a file or folder exists at `path`.
func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}

/// Whether `path` is a folder.
func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// `directory` and `name` joined by one slash.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// The last component of a path.
func lastPathComponent(_ path: String) -> String {
    let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
    return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
}

/// Throws unless `path` names an existing file that is not a folder.
/// Only regular files are data: a FIFO or device would block or never end.
func checkRegularFile(_ path: String) throws {
    var info = stat()
    guard stat(path, &info) == 0 else {
        if errno == ENOENT || errno == ENOTDIR { throw DataError(.missingFile, file: path, "file not found") }
        throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
    }
    switch info.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw DataError(.unreadable, file: path, "is a folder, not a file")
    default: throw DataError(.unreadable, file: path, "is not a regular file (a FIFO, socket or device); only regular files are read as data")
    }
    guard access(path, R_OK) == 0 else {
        throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
    }
}

/// The bytes of a whole file.
/// - Throws: `DataError` when the file is missing or cannot be read.
func readWholeFile(_ path: String) throws -> [UInt8] {
    try checkRegularFile(path)
    guard let stream = fopen(path, "rb") else {
        throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { fclose(stream) }
    var info = stat()
    guard fstat(fileno(stream), &info) == 0 else {
        throw DataError(.unreadable, file: path, "cannot read its size: \(String(cString: strerror(errno)))")
    }
    let size = Int(info.st_size)
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        initialized = size == 0 ? 0 : fread(buffer.baseAddress!, 1, size, stream)
    }
    guard bytes.count == size else {
        throw DataError(.unreadable, file: path, "read \(bytes.count) of its \(size) bytes")
    }
    return bytes
}

/// The names in a folder, sorted, without hidden entries (those starting with a dot).
/// - Throws: `DataError` when the folder is missing or cannot be listed.
func listDirectory(_ path: String) throws -> [String] {
    guard isDirectory(path) else {
        throw DataError(fileExists(path) ? .unreadable : .missingFile, file: path,
                        fileExists(path) ? "not a folder" : "folder not found")
    }
    guard let dir = opendir(path) else {
        throw DataError(.unreadable, file: path, "cannot list: \(String(cString: strerror(errno)))")
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                String(cString: $0)
            }
        }
        if !name.hasPrefix(".") { names.append(name) }
    }
    return names.sorted()
}

/// Whether two paths name the same existing file (same device and inode: links and `./` spellings included).
public func isSameFile(_ a: String, _ b: String) -> Bool {
    var x = stat(), y = stat()
    guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
    return x.st_dev == y.st_dev && x.st_ino == y.st_ino
}

/// Throws when `output` is one of the files named on the command line as an input, so no command writes over its input.
/// - Parameters:
///   - output: The file a command is about to write.
///   - option: The option that names it, for the message (`--out`).
///   - arguments: The command line (`CommandLine.arguments`); `--x=path` forms count too.
///   - explicit: Whether `output` itself was given on the command line (then it is named there once more as an input).
/// - Throws: `ConfigurationError` naming the option and the file.
public func checkNotAnInput(_ output: String, option: String, arguments: [String], explicit: Bool) throws {
    let candidates = arguments.dropFirst().flatMap { argument -> [String] in
        guard let equals = argument.firstIndex(of: "="), argument.hasPrefix("-") else { return [argument] }
        return [String(argument[argument.index(after: equals)...])]
    }
    let references = candidates.filter { isSameFile($0, output) }.count
    if references > (explicit ? 1 : 0) {
        throw ConfigurationError("\(option) \(output) is one of this command's input files; it is never written over: choose another \(option)")
    }
}
