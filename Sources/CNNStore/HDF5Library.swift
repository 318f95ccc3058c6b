// The one door into the HDF5 C library: a global lock, silenced error printing, error details.
//
// The library is the serial build. Even where it is compiled thread-safe, a sequence of our
// calls (open, read, close, then read the error stack) must not interleave with another
// thread's, and the error stack and its printing switch are per thread. So every call into
// HDF5 runs inside `withHDF5`, which holds one recursive lock and silences printing first.
import CHDF5
import Foundation

private let hdf5Lock = NSRecursiveLock()

/// Runs `body` holding the global HDF5 lock, with HDF5's automatic error printing switched off.
func withHDF5<Result>(_ body: () throws -> Result) rethrows -> Result {
    hdf5Lock.lock()
    defer { hdf5Lock.unlock() }
    // Per thread in a thread-safe build, so it is set on every entry; the call is cheap.
    H5Eset_auto2(cnn_h5e_default(), nil, nil)
    return try body()
}

/// `H5P_DEFAULT`, which imports as `Int32`.
let defaultPropertyList = hid_t(H5P_DEFAULT)

/// `H5S_ALL`, which imports as `Int32`.
let allOfDataspace = hid_t(H5S_ALL)

/// The most specific messages on the current thread's HDF5 error stack, for the end of a `StoreError` sentence.
///
/// Returns "" when the stack is empty, otherwise " (HDF5: message; message)" with the
/// innermost message first. Call it right after the failing C call, inside `withHDF5`.
func hdf5ErrorDetail() -> String {
    let messages = NameCollector()
    let walker: H5E_walk2_t = { _, error, clientData in
        guard let error, let clientData, let desc = error.pointee.desc else { return 0 }
        let messages = Unmanaged<NameCollector>.fromOpaque(clientData).takeUnretainedValue()
        let text = String(cString: desc)
        if !text.isEmpty && !messages.items.contains(text) { messages.items.append(text) }
        return 0
    }
    withExtendedLifetime(messages) {
        _ = H5Ewalk2(cnn_h5e_default(), H5E_WALK_UPWARD, walker, Unmanaged.passUnretained(messages).toOpaque())
    }
    H5Eclear2(cnn_h5e_default())
    let kept = messages.items.prefix(2)
    return kept.isEmpty ? "" : " (HDF5: \(kept.joined(separator: "; ")))"
}

/// Closes an HDF5 identifier of any kind (file, group, dataset, attribute, dataspace, type, property list).
func closeHDF5Object(_ id: hid_t) {
    guard id >= 0 else { return }
    switch H5Iget_type(id) {
    case H5I_FILE: H5Fclose(id)
    case H5I_GROUP: H5Gclose(id)
    case H5I_DATASET: H5Dclose(id)
    case H5I_ATTR: H5Aclose(id)
    case H5I_DATASPACE: H5Sclose(id)
    case H5I_DATATYPE: H5Tclose(id)
    case H5I_GENPROP_LST: H5Pclose(id)
    default: H5Oclose(id)
    }
}

/// Joins a path relative to `base` ("/model" + "C1/weight"), or normalises an absolute one, to "/a/b" form.
func resolvePath(_ path: String, relativeTo base: String) -> String {
    let full = path.hasPrefix("/") ? path : base + "/" + path
    let parts = full.split(separator: "/").filter { $0 != "." }
    return "/" + parts.joined(separator: "/")
}

/// The shape as users read it in messages: "[2, 3, 4]", "[] (scalar)" for 0-d.
func describeShape(_ shape: [Int]) -> String {
    shape.isEmpty ? "[] (scalar)" : "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// Names gathered by a C iteration callback, passed to it as an unretained pointer.
final class NameCollector {
    var items: [String] = []
}
