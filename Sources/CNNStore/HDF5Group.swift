// Groups: create (with parents), open, list children, test what a path holds, remove.
//
// Paths follow HDF5: "/" separates names, a leading "/" starts at the file's root, anything
// else is relative to the group it is given to. Groups made here track link and attribute
// creation order, so their children can be listed in the order they were written.
import CHDF5

/// Something in an HDF5 file that can carry attributes: the file's root, a group or a dataset.
public protocol HDF5Object: Sendable {
    /// The file the object lives in.
    var file: HDF5File { get }
    /// The object's absolute path in the file ("/" for the root group).
    var objectPath: String { get }
}

/// Something in an HDF5 file that holds named children: the file's root or a group.
public protocol HDF5Location: HDF5Object {}

/// The kind of object a path leads to.
public enum HDF5ObjectKind: Sendable, Equatable {
    /// A group, which holds other objects.
    case group
    /// A dataset, which holds an array of values.
    case dataset
    /// A committed datatype, which this layer never writes.
    case datatype
}

/// The order in which names are listed.
public enum HDF5IterationOrder: Sendable {
    /// Alphabetical (byte-wise) order, available in every file.
    case name
    /// The order in which the objects were created, where the file tracks it (groups made here do),
    /// otherwise name order.
    case creation
}

/// A group in an HDF5 file, addressed by its absolute path.
public struct HDF5Group: HDF5Location, Equatable {
    /// The file the group lives in.
    public let file: HDF5File
    /// The group's absolute path in the file.
    public let objectPath: String

    init(file: HDF5File, objectPath: String) {
        self.file = file
        self.objectPath = objectPath
    }

    /// Two groups are equal when they are the same path in the same open file.
    public static func == (lhs: HDF5Group, rhs: HDF5Group) -> Bool {
        lhs.file === rhs.file && lhs.objectPath == rhs.objectPath
    }
}

extension HDF5Object {
    /// The object as messages name it: `group "/model"`, `dataset "/model/C1/weight"`, `the root group`.
    var objectDescription: String {
        if objectPath == "/" { return "the root group" }
        return self is HDF5Dataset ? "dataset \"\(objectPath)\"" : "group \"\(objectPath)\""
    }
}

// MARK: - Groups and paths

extension HDF5Location {
    /// The absolute path of `path`, taken relative to this location unless it starts with "/".
    public func absolutePath(_ path: String) -> String {
        resolvePath(path, relativeTo: objectPath)
    }

    /// Creates the group at `path` and any missing parents, or returns the group already there.
    /// - Throws: `StoreError` with `.wrongKind` when a dataset stands on the path, `.readOnly`, or `.closed`.
    @discardableResult
    public func createGroup(_ path: String) throws -> HDF5Group {
        let target = absolutePath(path)
        try file.withWritableFile(objectPath: target, action: "create group \"\(target)\"") { fileID in
            try file.createGroups(upTo: target, fileID: fileID)
        }
        return HDF5Group(file: file, objectPath: target)
    }

    /// The existing group at `path`.
    /// - Throws: `StoreError` with `.notFound` when nothing is there, `.wrongKind` when a dataset is.
    public func group(_ path: String) throws -> HDF5Group {
        let target = absolutePath(path)
        try file.withOpenFile(objectPath: target) { fileID in
            try file.requireKind(.group, at: target, fileID: fileID)
        }
        return HDF5Group(file: file, objectPath: target)
    }

    /// The existing dataset at `path`.
    /// - Throws: `StoreError` with `.notFound` when nothing is there, `.wrongKind` when a group is.
    public func dataset(_ path: String) throws -> HDF5Dataset {
        let target = absolutePath(path)
        try file.withOpenFile(objectPath: target) { fileID in
            try file.requireKind(.dataset, at: target, fileID: fileID)
        }
        return HDF5Dataset(file: file, objectPath: target)
    }

    /// Whether anything (group or dataset) exists at `path`.
    /// - Throws: `StoreError.closed` when the file was closed.
    public func contains(_ path: String) throws -> Bool {
        try kind(at: path) != nil
    }

    /// The kind of object at `path`, or nil when nothing is there.
    /// - Throws: `StoreError.closed` when the file was closed.
    public func kind(at path: String) throws -> HDF5ObjectKind? {
        let target = absolutePath(path)
        return try file.withOpenFile(objectPath: target) { fileID in
            file.objectKind(at: target, fileID: fileID)
        }
    }

    /// The names of this location's direct children (groups and datasets), in the given order.
    /// - Throws: `StoreError` when this group no longer exists or the file was closed.
    public func childNames(order: HDF5IterationOrder = .name) throws -> [String] {
        try file.withOpenFile(objectPath: objectPath) { fileID in
            try file.requireKind(.group, at: objectPath, fileID: fileID)
            let groupID = H5Gopen2(fileID, objectPath, defaultPropertyList)
            guard groupID >= 0 else {
                throw file.error(.operationFailed, objectPath: objectPath,
                                 reason: "cannot open \(objectDescription)\(hdf5ErrorDetail())")
            }
            defer { H5Gclose(groupID) }
            let index = order == .creation && Self.tracksCreationOrder(groupID: groupID) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
            let names = NameCollector()
            let collect: H5L_iterate_t = { _, name, _, clientData in
                guard let name, let clientData else { return -1 }
                Unmanaged<NameCollector>.fromOpaque(clientData).takeUnretainedValue().items.append(String(cString: name))
                return 0
            }
            var position: hsize_t = 0
            let status = withExtendedLifetime(names) {
                H5Literate(groupID, index, H5_ITER_INC, &position, collect, Unmanaged.passUnretained(names).toOpaque())
            }
            guard status >= 0 else {
                throw file.error(.operationFailed, objectPath: objectPath,
                                 reason: "cannot list the children of \(objectDescription)\(hdf5ErrorDetail())")
            }
            return names.items
        }
    }

    /// Removes the link to the object at `path` (HDF5 does not shrink the file; rewrite it to reclaim space).
    /// - Throws: `StoreError` with `.notFound` when nothing is there, `.readOnly`, or `.closed`.
    public func remove(_ path: String) throws {
        let target = absolutePath(path)
        try file.withWritableFile(objectPath: target, action: "remove \"\(target)\"") { fileID in
            guard target != "/", file.objectKind(at: target, fileID: fileID) != nil else {
                throw file.error(.notFound, objectPath: target, reason: "nothing to remove at \"\(target)\"")
            }
            if H5Ldelete(fileID, target, defaultPropertyList) < 0 {
                throw file.error(.operationFailed, objectPath: target,
                                 reason: "cannot remove \"\(target)\"\(hdf5ErrorDetail())")
            }
        }
    }

    private static func tracksCreationOrder(groupID: hid_t) -> Bool {
        let gcpl = H5Gget_create_plist(groupID)
        guard gcpl >= 0 else { return false }
        defer { H5Pclose(gcpl) }
        var flags: UInt32 = 0
        guard H5Pget_link_creation_order(gcpl, &flags) >= 0 else { return false }
        return flags & UInt32(H5P_CRT_ORDER_INDEXED) != 0
    }
}

// MARK: - Internal helpers, called with the HDF5 lock held

extension HDF5File {
    /// The kind of object at the absolute `path`, or nil when any link on the way is missing or dangling.
    func objectKind(at path: String, fileID: hid_t) -> HDF5ObjectKind? {
        if path == "/" { return .group }
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            // H5Lexists fails (negative) when a parent is a dataset; both mean "not there".
            guard H5Lexists(fileID, prefix, defaultPropertyList) > 0 else {
                H5Eclear2(cnn_h5e_default())
                return nil
            }
        }
        guard H5Oexists_by_name(fileID, path, defaultPropertyList) > 0 else {
            H5Eclear2(cnn_h5e_default())
            return nil
        }
        let objectID = H5Oopen(fileID, path, defaultPropertyList)
        guard objectID >= 0 else {
            H5Eclear2(cnn_h5e_default())
            return nil
        }
        defer { H5Oclose(objectID) }
        switch H5Iget_type(objectID) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .datatype
        }
    }

    /// Throws unless an object of `kind` exists at the absolute `path`.
    func requireKind(_ kind: HDF5ObjectKind, at path: String, fileID: hid_t) throws {
        let found = objectKind(at: path, fileID: fileID)
        guard found == kind else {
            let wanted = kind == .group ? "group" : "dataset"
            if let found {
                throw error(.wrongKind, objectPath: path, reason: "\"\(path)\" is a \(found), not a \(wanted)")
            }
            throw error(.notFound, objectPath: path, reason: "no \(wanted) at \"\(path)\"")
        }
    }

    /// Creates every missing group on the way to the absolute `path`, `path` included.
    func createGroups(upTo path: String, fileID: hid_t) throws {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            switch objectKind(at: prefix, fileID: fileID) {
            case .group:
                continue
            case nil:
                let gcpl = H5Pcreate(cnn_h5p_group_create())
                defer { closeHDF5Object(gcpl) }
                guard gcpl >= 0, H5Pset_link_creation_order(gcpl, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)) >= 0,
                      H5Pset_attr_creation_order(gcpl, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)) >= 0 else {
                    throw error(.operationFailed, objectPath: prefix, reason: "cannot set up group \"\(prefix)\"\(hdf5ErrorDetail())")
                }
                let groupID = H5Gcreate2(fileID, prefix, defaultPropertyList, gcpl, defaultPropertyList)
                guard groupID >= 0 else {
                    throw error(.operationFailed, objectPath: prefix,
                                reason: "cannot create group \"\(prefix)\"\(hdf5ErrorDetail())")
                }
                H5Gclose(groupID)
            case let other?:
                throw error(.wrongKind, objectPath: prefix,
                            reason: "cannot create group \"\(path)\": \"\(prefix)\" is a \(other)")
            }
        }
    }
}
