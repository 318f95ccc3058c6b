// Datasets: n-dimensional arrays of numbers with a shape, written whole and read whole.
//
// Small datasets (up to `HDF5Storage.compressionThreshold` elements) are stored contiguous;
// larger ones chunked, with the shuffle filter and deflate (gzip) level 4, as h5py would
// with `compression="gzip", shuffle=True`. A 0-d shape ([]) is an HDF5 scalar dataspace.
import CHDF5
import Foundation

/// How a dataset's values are laid out in the file.
public enum HDF5Storage: Sendable, Equatable {
    /// Contiguous up to `compressionThreshold` elements, otherwise `.compressed(level: 4)`.
    case automatic
    /// One contiguous block, no filters.
    case contiguous
    /// Chunked, shuffled and deflate-compressed at `level` (1 fastest to 9 smallest).
    case compressed(level: Int)

    /// The largest element count that `.automatic` stores contiguous.
    public static let compressionThreshold = 1024
    /// The size a chunk aims at; outer dimensions are halved until a chunk fits.
    static let targetChunkBytes = 256 * 1024
}

/// The values of a dataset as read, with their shape and the element type they were stored as.
public struct HDF5Array<Element: HDF5Element>: Sendable {
    /// The extent of each dimension, outermost first; [] for a scalar.
    public var shape: [Int]
    /// The values in row-major order.
    public var values: [Element]
    /// The element type in the file (float64 for a dataset read as Float after conversion).
    public var storedType: HDF5ElementType

    /// Creates an array from its parts (for comparisons in tests and for callers that build one).
    public init(shape: [Int], values: [Element], storedType: HDF5ElementType = Element.elementType) {
        self.shape = shape
        self.values = values
        self.storedType = storedType
    }
}

extension HDF5Array: Equatable where Element: Equatable {}

/// A filter in a dataset's pipeline.
public enum HDF5Filter: Sendable, Equatable {
    /// Deflate (gzip) at the given level.
    case deflate(level: Int)
    /// The byte shuffle that makes floats compress better.
    case shuffle
    /// Any other filter, by its HDF5 filter identifier.
    case other(id: Int)
}

/// How a dataset is stored: its chunk shape (nil when contiguous or compact) and filters.
public struct HDF5StorageLayout: Sendable, Equatable {
    /// The chunk shape, or nil when the dataset is not chunked.
    public var chunkShape: [Int]?
    /// The filters, in pipeline order.
    public var filters: [HDF5Filter]

    /// Creates a layout description.
    public init(chunkShape: [Int]?, filters: [HDF5Filter]) {
        self.chunkShape = chunkShape
        self.filters = filters
    }
}

/// A dataset in an HDF5 file, addressed by its absolute path.
public struct HDF5Dataset: HDF5Object, Equatable {
    /// The file the dataset lives in.
    public let file: HDF5File
    /// The dataset's absolute path in the file.
    public let objectPath: String

    init(file: HDF5File, objectPath: String) {
        self.file = file
        self.objectPath = objectPath
    }

    /// Two datasets are equal when they are the same path in the same open file.
    public static func == (lhs: HDF5Dataset, rhs: HDF5Dataset) -> Bool {
        lhs.file === rhs.file && lhs.objectPath == rhs.objectPath
    }

    /// The element type stored in the file.
    /// - Throws: `StoreError` when the dataset is gone or the file closed.
    public var elementType: HDF5ElementType {
        get throws { try withOpenDataset { datasetID in try typeAndShape(datasetID).type } }
    }

    /// The extent of each dimension, outermost first; [] for a scalar.
    /// - Throws: `StoreError` when the dataset is gone or the file closed.
    public var shape: [Int] {
        get throws { try withOpenDataset { datasetID in try typeAndShape(datasetID).shape } }
    }

    /// The chunk shape and filters the dataset was written with.
    /// - Throws: `StoreError` when the dataset is gone or the file closed.
    public func storageLayout() throws -> HDF5StorageLayout {
        try withOpenDataset { datasetID in
            let dcpl = H5Dget_create_plist(datasetID)
            guard dcpl >= 0 else { throw failure("cannot read the storage properties of") }
            defer { H5Pclose(dcpl) }
            var layout = HDF5StorageLayout(chunkShape: nil, filters: [])
            if H5Pget_layout(dcpl) == H5D_CHUNKED {
                var chunk = [hsize_t](repeating: 0, count: 32)
                let rank = H5Pget_chunk(dcpl, 32, &chunk)
                if rank >= 0 { layout.chunkShape = chunk.prefix(Int(rank)).map { Int($0) } }
            }
            for index in 0..<max(0, H5Pget_nfilters(dcpl)) {
                var flags: UInt32 = 0
                var parameterCount = 8
                var parameters = [UInt32](repeating: 0, count: 8)
                var config: UInt32 = 0
                let id = H5Pget_filter2(dcpl, UInt32(index), &flags, &parameterCount, &parameters, 0, nil, &config)
                switch id {
                case H5Z_FILTER_DEFLATE: layout.filters.append(.deflate(level: Int(parameters[0])))
                case H5Z_FILTER_SHUFFLE: layout.filters.append(.shuffle)
                default: layout.filters.append(.other(id: Int(id)))
                }
            }
            return layout
        }
    }

    /// Reads every value, converting from the stored type where that loses no integers (see `HDF5ElementType`).
    /// - Parameters:
    ///   - type: The Swift type to read as.
    ///   - expectedShape: When given, the shape the dataset must have.
    /// - Throws: `StoreError` with `.wrongType`, `.wrongShape`, `.notFound` or `.corrupt`.
    public func read<Element: HDF5Element>(
        _ type: Element.Type = Element.self, expectedShape: [Int]? = nil
    ) throws -> HDF5Array<Element> {
        try readValues(as: Element.elementType, typeName: "\(Element.self)", expectedShape: expectedShape) {
            shape, storedType, count, fill in
            let values = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 { try fill(UnsafeMutableRawPointer(buffer.baseAddress!)) }
                initialized = count
            }
            return HDF5Array(shape: shape, values: values, storedType: storedType)
        }
    }

    // MARK: - Internal

    /// Opens the dataset under the lock, runs `body` with its identifier, and closes it.
    func withOpenDataset<Result>(_ body: (hid_t) throws -> Result) throws -> Result {
        try file.withOpenFile(objectPath: objectPath) { fileID in
            try file.requireKind(.dataset, at: objectPath, fileID: fileID)
            let datasetID = H5Dopen2(fileID, objectPath, defaultPropertyList)
            guard datasetID >= 0 else { throw failure("cannot open", problem: .corrupt) }
            defer { H5Dclose(datasetID) }
            return try body(datasetID)
        }
    }

    /// Reads the stored type and shape; call with the lock held.
    func typeAndShape(_ datasetID: hid_t) throws -> (type: HDF5ElementType, shape: [Int]) {
        let typeID = H5Dget_type(datasetID)
        guard typeID >= 0 else { throw failure("cannot read the element type of", problem: .corrupt) }
        defer { H5Tclose(typeID) }
        let spaceID = H5Dget_space(datasetID)
        guard spaceID >= 0 else { throw failure("cannot read the shape of", problem: .corrupt) }
        defer { H5Sclose(spaceID) }
        guard let shape = dataspaceShape(spaceID) else { throw failure("cannot read the shape of", problem: .corrupt) }
        return (HDF5ElementType(typeID: typeID), shape)
    }

    /// Checks type and shape, then lets `allocate` make room for the values and `fill` them with HDF5's converted read.
    ///
    /// `allocate` receives the shape, the stored type, the element count and a `fill` function
    /// that reads the whole dataset into a buffer of that many `target` elements.
    func readValues<Result>(
        as target: HDF5ElementType, typeName: String, expectedShape: [Int]?,
        _ allocate: ([Int], HDF5ElementType, Int, (UnsafeMutableRawPointer) throws -> Void) throws -> Result
    ) throws -> Result {
        try withOpenDataset { datasetID in
            let (storedType, shape) = try typeAndShape(datasetID)
            guard storedType.canBeRead(as: target), let memoryType = target.nativeTypeID else {
                throw file.error(.wrongType, objectPath: objectPath,
                                 reason: "\(objectDescription) holds \(storedType) values, which cannot be read as \(typeName)")
            }
            if let expectedShape, expectedShape != shape {
                throw file.error(.wrongShape, objectPath: objectPath,
                                 reason: "\(objectDescription) has shape \(describeShape(shape)), expected \(describeShape(expectedShape))")
            }
            let count = try elementCount(shape, elementBytes: H5Tget_size(memoryType))
            try checkStoredSize(datasetID, shape: shape, count: count)
            return try allocate(shape, storedType, count) { buffer in
                if H5Dread(datasetID, memoryType, allOfDataspace, allOfDataspace, defaultPropertyList, buffer) < 0 {
                    throw failure("cannot read the values of", problem: .corrupt)
                }
            }
        }
    }

    /// The product of `shape`, refusing counts that overflow or could not fit in memory (a corrupt header).
    private func elementCount(_ shape: [Int], elementBytes: Int) throws -> Int {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { count = .max; break }
            count = product
        }
        guard count <= (1 << 40) / max(elementBytes, 1) else {
            throw file.error(.corrupt, objectPath: objectPath,
                             reason: "\(objectDescription) claims shape \(describeShape(shape)), too large to be real")
        }
        return count
    }

    /// Refuses, before anything is allocated, a dataset whose declared size the file cannot hold:
    /// a small corrupt file declaring a 200M x 784 array must not cost 600 GB of memory.
    ///
    /// The values take count x (stored element size) bytes; the file holds at most
    /// min(storage size, file size) bytes of them, deflated by at most about 1:1032, the limit of
    /// the deflate format. Datasets of up to 1 MiB are always read (fill values need no storage).
    private func checkStoredSize(_ datasetID: hid_t, shape: [Int], count: Int) throws {
        let typeID = H5Dget_type(datasetID)
        guard typeID >= 0 else { throw failure("cannot read the element type of", problem: .corrupt) }
        let elementBytes = max(H5Tget_size(typeID), 1)
        H5Tclose(typeID)
        let (needed, overflow) = count.multipliedReportingOverflow(by: elementBytes)
        var info = stat()
        let fileBytes = stat(file.url.path, &info) == 0 ? Int(info.st_size) : Int.max
        let stored = min(Int(clamping: H5Dget_storage_size(datasetID)), fileBytes)
        let (limit, limitOverflow) = stored.multipliedReportingOverflow(by: 1100)
        guard overflow || (!limitOverflow && needed > max(limit, 1 << 20)) else { return }
        throw file.error(.corrupt, objectPath: objectPath,
                         reason: "\(objectDescription) declares shape \(describeShape(shape)) (\(overflow ? "more than \(Int.max)" : String(needed)) bytes), "
                         + "but the file holds only \(stored) bytes for it: the file is truncated or corrupt")
    }

    /// A `StoreError` for a failed C call on this dataset, with HDF5's detail appended.
    func failure(_ action: String, problem: StoreError.Problem = .operationFailed) -> StoreError {
        file.error(problem, objectPath: objectPath, reason: "\(action) \(objectDescription)\(hdf5ErrorDetail())")
    }
}

/// The shape of a simple or scalar dataspace ([] for scalar, [0] for a null one); nil on failure.
func dataspaceShape(_ spaceID: hid_t) -> [Int]? {
    switch H5Sget_simple_extent_type(spaceID) {
    case H5S_SCALAR: return []
    case H5S_NULL: return [0]
    case H5S_SIMPLE:
        let rank = H5Sget_simple_extent_ndims(spaceID)
        guard rank >= 0 else { return nil }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard H5Sget_simple_extent_dims(spaceID, &dims, nil) >= 0 else { return nil }
        guard dims.allSatisfy({ $0 <= hsize_t(Int.max) }) else { return nil }
        return dims.map { Int($0) }
    default: return nil
    }
}

/// A new dataspace of `shape`: scalar for [], simple otherwise; the caller closes it.
func makeDataspace(_ shape: [Int]) -> hid_t {
    if shape.isEmpty { return H5Screate(H5S_SCALAR) }
    let dims = shape.map { hsize_t($0) }
    return H5Screate_simple(Int32(dims.count), dims, nil)
}

// MARK: - Writing and reading through a location

extension HDF5Location {
    /// Writes `values` with `shape` as a dataset at `path`, creating parent groups and replacing any dataset there.
    /// - Parameters:
    ///   - values: The values in row-major order; their count must be the product of `shape`.
    ///   - shape: The extent of each dimension, outermost first; [] for a scalar.
    ///   - path: Where to write, relative to this location unless it starts with "/".
    ///   - storage: Contiguous or compressed; `.automatic` compresses above 1024 elements.
    /// - Throws: `StoreError` with `.invalidArgument`, `.wrongKind` (a group at `path`), `.readOnly` or `.closed`.
    @discardableResult
    public func write<Element: HDF5Element>(
        _ values: [Element], shape: [Int], to path: String, storage: HDF5Storage = .automatic
    ) throws -> HDF5Dataset {
        try values.withUnsafeBytes { bytes in
            try writeDataset(bytes.baseAddress, count: values.count, elementType: Element.elementType,
                             shape: shape, to: path, storage: storage)
        }
    }

    /// Reads the dataset at `path` as `type`; see `HDF5Dataset.read(_:expectedShape:)`.
    /// - Throws: `StoreError` with `.notFound`, `.wrongKind`, `.wrongType`, `.wrongShape` or `.corrupt`.
    public func read<Element: HDF5Element>(
        _ type: Element.Type = Element.self, at path: String, expectedShape: [Int]? = nil
    ) throws -> HDF5Array<Element> {
        try dataset(path).read(type, expectedShape: expectedShape)
    }

    /// Writes `count` elements of `elementType` from `bytes` as a dataset; the shared path of every writer.
    func writeDataset(
        _ bytes: UnsafeRawPointer?, count: Int, elementType: HDF5ElementType,
        shape: [Int], to path: String, storage: HDF5Storage
    ) throws -> HDF5Dataset {
        let target = absolutePath(path)
        let dataset = HDF5Dataset(file: file, objectPath: target)
        guard target != "/" else {
            throw file.error(.invalidArgument, objectPath: target, reason: "cannot write a dataset at the root path \"/\"")
        }
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == count else {
            throw file.error(.invalidArgument, objectPath: target,
                             reason: "cannot write dataset \"\(target)\": shape \(describeShape(shape)) holds \(shape.reduce(1, *)) values, got \(count)")
        }
        guard let memoryType = elementType.nativeTypeID else {
            throw file.error(.invalidArgument, objectPath: target, reason: "cannot write \(elementType) values to \"\(target)\"")
        }
        return try file.withWritableFile(objectPath: target, action: "write dataset \"\(target)\"") { fileID in
            switch file.objectKind(at: target, fileID: fileID) {
            case nil: break
            case .dataset:
                if H5Ldelete(fileID, target, defaultPropertyList) < 0 { throw dataset.failure("cannot replace") }
            case let other?:
                throw file.error(.wrongKind, objectPath: target,
                                 reason: "cannot write dataset \"\(target)\": a \(other) is already there")
            }
            let parent = String(target[..<target.lastIndex(of: "/")!])
            if !parent.isEmpty { try file.createGroups(upTo: parent, fileID: fileID) }

            let spaceID = makeDataspace(shape)
            guard spaceID >= 0 else { throw dataset.failure("cannot make the dataspace of") }
            defer { H5Sclose(spaceID) }
            let dcpl = H5Pcreate(cnn_h5p_dataset_create())
            guard dcpl >= 0 else { throw dataset.failure("cannot make the creation properties of") }
            defer { H5Pclose(dcpl) }
            if let level = compressionLevel(storage, count: count, shape: shape) {
                let chunk = chunkShape(for: shape, elementBytes: H5Tget_size(memoryType)).map { hsize_t($0) }
                guard H5Pset_chunk(dcpl, Int32(chunk.count), chunk) >= 0,
                      H5Pset_shuffle(dcpl) >= 0,
                      H5Pset_deflate(dcpl, UInt32(level)) >= 0 else {
                    throw dataset.failure("cannot set up compression for")
                }
            }
            let datasetID = H5Dcreate2(fileID, target, memoryType, spaceID, defaultPropertyList, dcpl, defaultPropertyList)
            guard datasetID >= 0 else { throw dataset.failure("cannot create") }
            defer { H5Dclose(datasetID) }
            if count > 0, H5Dwrite(datasetID, memoryType, allOfDataspace, allOfDataspace, defaultPropertyList, bytes) < 0 {
                throw dataset.failure("cannot write the values of")
            }
            return dataset
        }
    }

    /// The deflate level to use, or nil for contiguous storage.
    private func compressionLevel(_ storage: HDF5Storage, count: Int, shape: [Int]) -> Int? {
        // Chunking needs at least one dimension and no empty one.
        guard !shape.isEmpty, count > 0 else { return nil }
        switch storage {
        case .contiguous: return nil
        case .compressed(let level): return min(max(level, 0), 9)
        case .automatic: return count > HDF5Storage.compressionThreshold ? 4 : nil
        }
    }

    /// A chunk shape near `HDF5Storage.targetChunkBytes`, made by halving outer dimensions first.
    ///
    /// Keeping inner dimensions whole keeps each chunk a run of whole rows (whole images for NCHW).
    private func chunkShape(for shape: [Int], elementBytes: Int) -> [Int] {
        var chunk = shape
        for axis in chunk.indices {
            while chunk.reduce(elementBytes, *) > HDF5Storage.targetChunkBytes && chunk[axis] > 1 {
                chunk[axis] = (chunk[axis] + 1) / 2
            }
        }
        return chunk
    }
}
