// HDF5File: an open HDF5 file, created (truncated) or opened read-only or read-write.
//
// The file is the only object that holds an HDF5 identifier for long. Groups and datasets
// are (file, path) values that open their object for each call and close it before
// returning, so closing the file (explicitly or in deinit) is all the clean-up there is.
import CHDF5
import Foundation

/// An open HDF5 file; groups, datasets and attributes are reached through it.
///
/// Thread-safety: every call into HDF5 holds one global lock (see `withHDF5`), and the file
/// identifier is read and written only under it, so a file may be shared between tasks.
public final class HDF5File: HDF5Location, @unchecked Sendable {
    /// How an existing file is opened.
    public enum Mode: Sendable {
        /// Reading only; writes throw `StoreError` with problem `.readOnly`.
        case readOnly
        /// Reading and writing.
        case readWrite
    }

    /// Where the file lives.
    public let url: URL
    /// Whether writes are allowed.
    public let mode: Mode
    /// The HDF5 identifier, or -1 once closed; guarded by the global HDF5 lock.
    private var id: hid_t

    /// Creates a new, empty file at `url`, replacing any file there.
    /// - Throws: `StoreError` when the file cannot be created (a missing directory, no permission).
    public init(creating url: URL) throws {
        self.url = url
        self.mode = .readWrite
        let path = url.path
        id = try withHDF5 {
            let fcpl = Self.makeFileCreationList()
            let fapl = Self.makeFileAccessList()
            defer { closeHDF5Object(fcpl); closeHDF5Object(fapl) }
            guard fcpl >= 0, fapl >= 0 else {
                throw StoreError(.operationFailed, file: path, reason: "cannot set up the file's properties\(hdf5ErrorDetail())")
            }
            let id = H5Fcreate(path, cnn_h5f_acc_trunc(), fcpl, fapl)
            guard id >= 0 else {
                throw StoreError(.operationFailed, file: path, reason: "cannot create the file\(hdf5ErrorDetail())")
            }
            return id
        }
    }

    /// Creates a new, empty file in memory (HDF5's core driver, nothing written to disk), for
    /// `writeAtomically`: the finished image is written out with checked POSIX calls, so a full
    /// disk is an error there, never a failure inside HDF5's own flush and close.
    /// - Parameter url: The destination, used in error messages.
    init(creatingInMemory url: URL) throws {
        self.url = url
        self.mode = .readWrite
        let path = url.path
        id = try withHDF5 {
            let fcpl = Self.makeFileCreationList()
            let fapl = Self.makeFileAccessList()
            defer { closeHDF5Object(fcpl); closeHDF5Object(fapl) }
            guard fcpl >= 0, fapl >= 0,
                  H5Pset_fapl_core(fapl, 1 << 20, false) >= 0,
                  // The 1.8 format (read by every HDF5 since 2008, h5py included) checksums the superblock,
                  // object headers and link heaps, so a damaged file is refused, not parsed into a crash.
                  H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) >= 0 else {
                throw StoreError(.operationFailed, file: path, reason: "cannot set up an in-memory HDF5 file\(hdf5ErrorDetail())")
            }
            // A name no other open file has: the core driver without a backing store never touches it.
            let id = H5Fcreate("\(path).\(UUID().uuidString).memory", cnn_h5f_acc_trunc(), fcpl, fapl)
            guard id >= 0 else {
                throw StoreError(.operationFailed, file: path, reason: "cannot create the file in memory\(hdf5ErrorDetail())")
            }
            return id
        }
    }

    /// The bytes of the whole file, flushed: what would be on disk if it were closed now.
    /// - Throws: `StoreError` when the flush or the copy fails.
    func fileImage() throws -> [UInt8] {
        try withOpenFile(objectPath: nil) { id in
            guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
                throw error(.operationFailed, reason: "cannot flush the file\(hdf5ErrorDetail())")
            }
            let size = H5Fget_file_image(id, nil, 0)
            guard size > 0 else { throw error(.operationFailed, reason: "cannot read the file's image\(hdf5ErrorDetail())") }
            var bytes = [UInt8](repeating: 0, count: size)
            let copied = bytes.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
            guard copied == size else { throw error(.operationFailed, reason: "cannot read the file's image\(hdf5ErrorDetail())") }
            Self.resealSuperblock(&bytes)
            return bytes
        }
    }

    /// Recomputes the checksum of a version 2 or 3 superblock at the start of a file image.
    ///
    /// HDF5 1.10's `H5Fget_file_image` updates the superblock's end-of-file address in the copy
    /// but leaves its old checksum, so every reader would refuse the file. The superblock is the
    /// signature (8 bytes), version, offset size, length size and flags (4), four addresses, then
    /// the checksum: Jenkins' lookup3 of everything before it, as HDF5 computes metadata checksums.
    static func resealSuperblock(_ image: inout [UInt8]) {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        guard image.count >= 12, Array(image[0..<8]) == signature, image[8] >= 2 else { return }
        let length = 12 + 4 * Int(image[9])
        guard image.count >= length + 4 else { return }
        let checksum = lookup3(image[0..<length])
        for k in 0..<4 { image[length + k] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(k))) }
    }

    /// Bob Jenkins' lookup3 hash (`hashlittle`, initial value 0), HDF5's metadata checksum.
    static func lookup3(_ data: ArraySlice<UInt8>) -> UInt32 {
        let bytes = Array(data)
        var a = 0xDEAD_BEEF &+ UInt32(truncatingIfNeeded: bytes.count), b = a, c = a
        func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }
        func word(_ i: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 | (i + $1 < bytes.count ? UInt32(bytes[i + $1]) << (8 * UInt32($1)) : 0) }
        }
        var k = 0, remaining = bytes.count
        while remaining > 12 {
            a &+= word(k); b &+= word(k + 4); c &+= word(k + 8)
            a &-= c; a ^= rot(c, 4); c &+= b
            b &-= a; b ^= rot(a, 6); a &+= c
            c &-= b; c ^= rot(b, 8); b &+= a
            a &-= c; a ^= rot(c, 16); c &+= b
            b &-= a; b ^= rot(a, 19); a &+= c
            c &-= b; c ^= rot(b, 4); b &+= a
            remaining -= 12; k += 12
        }
        guard remaining > 0 else { return c }
        // The tail, zero-padded (adding zero bytes changes nothing).
        a &+= word(k); b &+= remaining > 4 ? word(k + 4) : 0; c &+= remaining > 8 ? word(k + 8) : 0
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
        return c
    }

    /// Opens an existing file for reading, or for reading and writing.
    /// - Throws: `StoreError` when the file is missing (`.fileNotFound`), is not HDF5
    ///   (`.notHDF5`), or is truncated or corrupt (`.corrupt`).
    public init(opening url: URL, mode: Mode = .readOnly) throws {
        self.url = url
        self.mode = mode
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StoreError(.fileNotFound, file: path, reason: "the file does not exist")
        }
        guard !isDirectory.boolValue else {
            throw StoreError(.notHDF5, file: path, reason: "is a directory, not an HDF5 file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw StoreError(.operationFailed, file: path, reason: "the file is not readable (permission denied)")
        }
        id = try withHDF5 {
            let signature = H5Fis_hdf5(path)
            if signature == 0 {
                H5Eclear2(cnn_h5e_default())
                throw StoreError(.notHDF5, file: path, reason: "not an HDF5 file (no HDF5 signature found)")
            }
            if signature < 0 {
                throw StoreError(.corrupt, file: path, reason: "cannot read the file's HDF5 signature\(hdf5ErrorDetail())")
            }
            let fapl = Self.makeFileAccessList()
            defer { closeHDF5Object(fapl) }
            guard fapl >= 0 else { throw StoreError(.operationFailed, file: path, reason: "cannot set up file access\(hdf5ErrorDetail())") }
            let flags = mode == .readOnly ? cnn_h5f_acc_rdonly() : cnn_h5f_acc_rdwr()
            let id = H5Fopen(path, flags, fapl)
            guard id >= 0 else {
                throw StoreError(.corrupt, file: path, reason: "the HDF5 file is truncated or corrupt\(hdf5ErrorDetail())")
            }
            return id
        }
    }

    deinit {
        withHDF5 {
            if id >= 0 { H5Fclose(id) }
        }
    }

    /// A file-access property list whose close also closes any object left open, so the file is really closed.
    /// File-creation properties of every new file: creation order tracked, so that groups list their
    /// children and attributes in the order they were written. -1 when HDF5 refuses.
    private static func makeFileCreationList() -> hid_t {
        let fcpl = H5Pcreate(cnn_h5p_file_create())
        guard fcpl >= 0,
              H5Pset_link_creation_order(fcpl, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)) >= 0,
              H5Pset_attr_creation_order(fcpl, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)) >= 0 else {
            closeHDF5Object(fcpl)
            return -1
        }
        return fcpl
    }

    private static func makeFileAccessList() -> hid_t {
        let fapl = H5Pcreate(cnn_h5p_file_access())
        // No HDF5 file locks (flock on the open file): a child process started by another thread between our
        // open and close inherits the descriptor and keeps the lock after we close, so reopening the file then
        // fails ("unable to lock file"; seen once in a parallel test run). Whole files are written atomically
        // (a temporary, under the toolkit's own lock, then renamed), so readers never see a half-written file.
        guard fapl >= 0, H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0, H5Pset_file_locking(fapl, false, true) >= 0 else {
            closeHDF5Object(fapl)
            return -1
        }
        return fapl
    }

    /// Closes the file; later calls on it, its groups or its datasets throw `.closed`. Closing twice does nothing.
    /// - Throws: `StoreError` when HDF5 fails to write its buffers out.
    public func close() throws {
        try withHDF5 {
            guard id >= 0 else { return }
            let status = H5Fclose(id)
            id = -1
            if status < 0 {
                throw StoreError(.operationFailed, file: url.path, reason: "cannot close the file\(hdf5ErrorDetail())")
            }
        }
    }

    /// Whether the file is still open.
    public var isOpen: Bool { withHDF5 { id >= 0 } }

    /// Writes HDF5's buffers for this file to disk.
    /// - Throws: `StoreError` when the file is closed or the write fails.
    public func flush() throws {
        try withOpenFile(objectPath: nil) { id in
            if H5Fflush(id, H5F_SCOPE_LOCAL) < 0 {
                throw error(.operationFailed, reason: "cannot flush the file\(hdf5ErrorDetail())")
            }
        }
    }

    // MARK: - HDF5Location

    /// This file, seen as the root group.
    public var file: HDF5File { self }
    /// The root group's path, "/".
    public var objectPath: String { "/" }

    // MARK: - Internal access

    /// Runs `body` with the file's identifier under the global lock.
    /// - Throws: `StoreError.closed` when the file was closed, or whatever `body` throws.
    func withOpenFile<Result>(objectPath: String?, _ body: (hid_t) throws -> Result) throws -> Result {
        try withHDF5 {
            guard id >= 0 else {
                throw error(.closed, objectPath: objectPath, reason: "the file is closed")
            }
            return try body(id)
        }
    }

    /// Like `withOpenFile`, but first checks that the file was opened for writing.
    func withWritableFile<Result>(objectPath: String, action: String, _ body: (hid_t) throws -> Result) throws -> Result {
        guard mode == .readWrite else {
            throw error(.readOnly, objectPath: objectPath, reason: "cannot \(action): the file is open read-only")
        }
        return try withOpenFile(objectPath: objectPath, body)
    }

    /// A `StoreError` about this file.
    func error(_ problem: StoreError.Problem, objectPath: String? = nil, reason: String) -> StoreError {
        StoreError(problem, file: url.path, objectPath: objectPath, reason: reason)
    }
}
