// Attributes on the file's root, groups and datasets: strings, Int64 and Double, scalars and 1-D arrays.
//
// Strings are written variable-length UTF-8 (as h5py and Keras 3 do, and with no 64 KiB
// limit on a JSON architecture). Readers accept fixed-length strings too, NUL- or
// space-padded, because Keras 2 stores `layer_names` and `weight_names` that way, and an
// empty array of any type as an empty string array (Keras writes a layer without weights so).
import CHDF5
import Foundation

extension HDF5Object {
    // MARK: - Names

    /// The names of the object's attributes, in name order or, where tracked, creation order.
    /// - Throws: `StoreError` when the object is gone or the file closed.
    public func attributeNames(order: HDF5IterationOrder = .name) throws -> [String] {
        try withExistingObject { fileID in
            let names = NameCollector()
            let collect: H5A_operator2_t = { _, name, _, clientData in
                guard let name, let clientData else { return -1 }
                Unmanaged<NameCollector>.fromOpaque(clientData).takeUnretainedValue().items.append(String(cString: name))
                return 0
            }
            func iterate(_ index: H5_index_t) -> herr_t {
                names.items = []
                var position: hsize_t = 0
                return withExtendedLifetime(names) {
                    H5Aiterate_by_name(fileID, objectPath, index, H5_ITER_INC, &position, collect,
                                       Unmanaged.passUnretained(names).toOpaque(), defaultPropertyList)
                }
            }
            // Creation order fails on objects that do not track it: fall back to names.
            if order == .creation, iterate(H5_INDEX_CRT_ORDER) >= 0 { return names.items }
            H5Eclear2(cnn_h5e_default())
            guard iterate(H5_INDEX_NAME) >= 0 else {
                throw file.error(.operationFailed, objectPath: objectPath,
                                 reason: "cannot list the attributes of \(objectDescription)\(hdf5ErrorDetail())")
            }
            return names.items
        }
    }

    /// Whether the object has an attribute called `name`.
    /// - Throws: `StoreError` when the object is gone or the file closed.
    public func hasAttribute(_ name: String) throws -> Bool {
        try withExistingObject { fileID in
            try attributeExists(name, fileID: fileID)
        }
    }

    /// Removes the attribute called `name`.
    /// - Throws: `StoreError` with `.notFound`, `.readOnly` or `.closed`.
    public func removeAttribute(_ name: String) throws {
        try withExistingObject(writingAction: "remove attribute \"\(name)\"") { fileID in
            guard try attributeExists(name, fileID: fileID) else { throw missingAttribute(name) }
            if H5Adelete_by_name(fileID, objectPath, name, defaultPropertyList) < 0 {
                throw attributeFailure("cannot remove", name)
            }
        }
    }

    // MARK: - Writing

    /// Sets a variable-length UTF-8 string attribute, replacing any attribute of that name.
    /// - Throws: `StoreError` with `.notFound` (the object), `.readOnly` or `.closed`.
    public func setAttribute(_ name: String, to value: String) throws {
        try writeStrings(name, [value], shape: nil)
    }

    /// Sets a 1-D array of variable-length UTF-8 strings.
    /// - Throws: `StoreError` with `.notFound` (the object), `.readOnly` or `.closed`.
    public func setAttribute(_ name: String, to values: [String]) throws {
        try writeStrings(name, values, shape: [values.count])
    }

    /// Sets an int64 scalar attribute.
    /// - Throws: `StoreError` with `.notFound` (the object), `.readOnly` or `.closed`.
    public func setAttribute(_ name: String, to value: Int64) throws {
        try writeNumbers(name, [value], shape: nil)
    }

    /// Sets a 1-D int64 array attribute.
    /// - Throws: `StoreError` with `.notFound` (the object), `.readOnly` or `.closed`.
    public func setAttribute(_ name: String, to values: [Int64]) throws {
        try writeNumbers(name, values, shape: [values.count])
    }

    /// Sets an int64 scalar attribute from an `Int`.
    /// - Throws: `StoreError` with `.notFound` (the object), `.readOnly` or `.closed`.
    public func setAttribute(_ name: String, to value: Int) throws {
        try writeNumbers(name, [Int64(value)], shape: nil)
    }

    /// Sets a 1-D int64 array attribute from `Int`s (a kernel size, a stride).
    /// - Throws: `StoreError` with `.notFound` (the object), `.readOnly` or `.closed`.
    public func setAttribute(_ name: String, to values: [Int]) throws {
        try writeNumbers(name, values.map { Int64($0) }, shape: [values.count])
    }

    /// Sets a float64 scalar attribute.
    /// - Throws: `StoreError` with `.notFound` (the object), `.readOnly` or `.closed`.
    public func setAttribute(_ name: String, to value: Double) throws {
        try writeNumbers(name, [value], shape: nil)
    }

    /// Sets a 1-D float64 array attribute.
    /// - Throws: `StoreError` with `.notFound` (the object), `.readOnly` or `.closed`.
    public func setAttribute(_ name: String, to values: [Double]) throws {
        try writeNumbers(name, values, shape: [values.count])
    }

    // MARK: - Reading

    /// Reads a string attribute, fixed- or variable-length, scalar or an array of one.
    /// - Throws: `StoreError` with `.notFound`, `.wrongType` or `.wrongShape`.
    public func stringAttribute(_ name: String) throws -> String {
        let (strings, shape) = try readStrings(name)
        guard strings.count == 1 else { throw notSingle(name, shape: shape) }
        return strings[0]
    }

    /// Reads a string array attribute, fixed- or variable-length; a scalar reads as one element, an empty array of any type as [].
    /// - Throws: `StoreError` with `.notFound` or `.wrongType`.
    public func stringArrayAttribute(_ name: String) throws -> [String] {
        try readStrings(name).strings
    }

    /// Reads an integer attribute holding a single value as Int64.
    /// - Throws: `StoreError` with `.notFound`, `.wrongType` or `.wrongShape`.
    public func int64Attribute(_ name: String) throws -> Int64 {
        let (values, shape) = try readNumbers(name, as: Int64.self)
        guard values.count == 1 else { throw notSingle(name, shape: shape) }
        return values[0]
    }

    /// Reads an integer attribute as an Int64 array; a scalar reads as one element.
    /// - Throws: `StoreError` with `.notFound` or `.wrongType`.
    public func int64ArrayAttribute(_ name: String) throws -> [Int64] {
        try readNumbers(name, as: Int64.self).values
    }

    /// Reads a float or integer attribute holding a single value as Double.
    /// - Throws: `StoreError` with `.notFound`, `.wrongType` or `.wrongShape`.
    public func doubleAttribute(_ name: String) throws -> Double {
        let (values, shape) = try readNumbers(name, as: Double.self)
        guard values.count == 1 else { throw notSingle(name, shape: shape) }
        return values[0]
    }

    /// Reads a float or integer attribute as a Double array; a scalar reads as one element.
    /// - Throws: `StoreError` with `.notFound` or `.wrongType`.
    public func doubleArrayAttribute(_ name: String) throws -> [Double] {
        try readNumbers(name, as: Double.self).values
    }

    // MARK: - Internal

    /// Runs `body` under the lock once the object is known to exist (and, for a write, the file to be writable).
    private func withExistingObject<Result>(
        writingAction: String? = nil, _ body: (hid_t) throws -> Result
    ) throws -> Result {
        let checked: (hid_t) throws -> Result = { fileID in
            guard file.objectKind(at: objectPath, fileID: fileID) != nil else {
                throw file.error(.notFound, objectPath: objectPath, reason: "no group or dataset at \"\(objectPath)\"")
            }
            return try body(fileID)
        }
        if let writingAction {
            return try file.withWritableFile(objectPath: objectPath, action: "\(writingAction) on \(objectDescription)", checked)
        }
        return try file.withOpenFile(objectPath: objectPath, checked)
    }

    private func attributeExists(_ name: String, fileID: hid_t) throws -> Bool {
        let exists = H5Aexists_by_name(fileID, objectPath, name, defaultPropertyList)
        guard exists >= 0 else { throw attributeFailure("cannot look up", name) }
        return exists > 0
    }

    /// Opens attribute `name` under the lock and passes its identifier, element type and shape to `body`.
    private func withAttribute<Result>(
        _ name: String, _ body: (_ attributeID: hid_t, _ typeID: hid_t, _ shape: [Int]) throws -> Result
    ) throws -> Result {
        try withExistingObject { fileID in
            guard try attributeExists(name, fileID: fileID) else { throw missingAttribute(name) }
            let attributeID = H5Aopen_by_name(fileID, objectPath, name, defaultPropertyList, defaultPropertyList)
            guard attributeID >= 0 else { throw attributeFailure("cannot open", name, problem: .corrupt) }
            defer { H5Aclose(attributeID) }
            let typeID = H5Aget_type(attributeID)
            guard typeID >= 0 else { throw attributeFailure("cannot read the type of", name, problem: .corrupt) }
            defer { H5Tclose(typeID) }
            let spaceID = H5Aget_space(attributeID)
            guard spaceID >= 0 else { throw attributeFailure("cannot read the shape of", name, problem: .corrupt) }
            defer { H5Sclose(spaceID) }
            guard let shape = dataspaceShape(spaceID), shape.reduce(1, *) <= 1 << 28 else {
                throw attributeFailure("cannot read the shape of", name, problem: .corrupt)
            }
            return try body(attributeID, typeID, shape)
        }
    }

    private func readNumbers<Element: HDF5Element>(_ name: String, as type: Element.Type) throws -> (values: [Element], shape: [Int]) {
        try withAttribute(name) { attributeID, typeID, shape in
            let stored = HDF5ElementType(typeID: typeID)
            let count = shape.reduce(1, *)
            // Attributes are settings: an integer learning rate or epsilon is fine as a Double.
            let integerAsDouble = Element.self == Double.self && stored.canBeRead(as: .int64)
            guard stored.canBeRead(as: Element.elementType) || integerAsDouble,
                  let memoryType = Element.elementType.nativeTypeID else {
                throw file.error(.wrongType, objectPath: objectPath,
                                 reason: "attribute \"\(name)\" on \(objectDescription) holds \(stored) values, which cannot be read as \(Element.self)")
            }
            let values = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0, H5Aread(attributeID, memoryType, buffer.baseAddress) < 0 {
                    throw attributeFailure("cannot read", name, problem: .corrupt)
                }
                initialized = count
            }
            return (values, shape)
        }
    }

    private func readStrings(_ name: String) throws -> (strings: [String], shape: [Int]) {
        try withAttribute(name) { attributeID, typeID, shape in
            let count = shape.reduce(1, *)
            guard H5Tget_class(typeID) == H5T_STRING else {
                if count == 0 { return ([], shape) }
                throw file.error(.wrongType, objectPath: objectPath,
                                 reason: "attribute \"\(name)\" on \(objectDescription) holds \(HDF5ElementType(typeID: typeID)) values, not strings")
            }
            if count == 0 { return ([], shape) }
            let memoryType = H5Tcopy(cnn_h5t_c_s1())
            guard memoryType >= 0 else { throw attributeFailure("cannot make a string type to read", name) }
            defer { H5Tclose(memoryType) }
            let cset = H5Tget_cset(typeID)
            guard cset.rawValue >= 0, H5Tset_cset(memoryType, cset) >= 0 else {
                throw attributeFailure("cannot read the character set of", name, problem: .corrupt)
            }
            let variable = H5Tis_variable_str(typeID)
            guard variable >= 0 else { throw attributeFailure("cannot read the string type of", name, problem: .corrupt) }
            if variable > 0 {
                guard H5Tset_size(memoryType, cnn_h5t_variable()) >= 0 else { throw attributeFailure("cannot make a string type to read", name) }
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                guard H5Aread(attributeID, memoryType, &pointers) >= 0 else {
                    throw attributeFailure("cannot read", name, problem: .corrupt)
                }
                let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
                let spaceID = H5Aget_space(attributeID)
                if spaceID >= 0 {
                    H5Dvlen_reclaim(memoryType, spaceID, defaultPropertyList, &pointers)
                    H5Sclose(spaceID)
                }
                return (strings, shape)
            }
            // Fixed length: read with the stored padding so no byte is dropped, then trim it.
            let size = H5Tget_size(typeID)
            let padding = H5Tget_strpad(typeID)
            guard size > 0, padding.rawValue >= 0, H5Tset_size(memoryType, size) >= 0, H5Tset_strpad(memoryType, padding) >= 0 else {
                throw attributeFailure("cannot read the string type of", name, problem: .corrupt)
            }
            guard size.multipliedReportingOverflow(by: count).overflow == false, size * count <= 1 << 30 else {
                throw attributeFailure("refusing to read \(count) strings of \(size) bytes from", name, problem: .corrupt)
            }
            var bytes = [UInt8](repeating: 0, count: size * count)
            guard H5Aread(attributeID, memoryType, &bytes) >= 0 else {
                throw attributeFailure("cannot read", name, problem: .corrupt)
            }
            let strings = (0..<count).map { index in
                var field = bytes[index * size ..< (index + 1) * size]
                if let end = field.firstIndex(of: 0) { field = field[..<end] }
                if padding == H5T_STR_SPACEPAD {
                    while field.last == UInt8(ascii: " ") { field = field.dropLast() }
                }
                return String(decoding: field, as: UTF8.self)
            }
            return (strings, shape)
        }
    }

    private func writeNumbers<Element: HDF5Element>(_ name: String, _ values: [Element], shape: [Int]?) throws {
        let typeID = Element.elementType.nativeTypeID!
        try values.withUnsafeBytes { bytes in
            try writeAttribute(name, typeID: typeID, shape: shape, bytes: bytes.baseAddress)
        }
    }

    private func writeStrings(_ name: String, _ values: [String], shape: [Int]?) throws {
        let typeID = try withHDF5 {
            let typeID = H5Tcopy(cnn_h5t_c_s1())
            guard typeID >= 0 else { throw attributeFailure("cannot make the string type of", name) }
            guard H5Tset_size(typeID, cnn_h5t_variable()) >= 0, H5Tset_cset(typeID, H5T_CSET_UTF8) >= 0 else {
                H5Tclose(typeID)
                throw attributeFailure("cannot make the string type of", name)
            }
            return typeID
        }
        defer { withHDF5 { _ = H5Tclose(typeID) } }
        let cStrings = values.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        try cStrings.withUnsafeBytes { bytes in
            try writeAttribute(name, typeID: typeID, shape: shape, bytes: bytes.baseAddress)
        }
    }

    /// Writes one attribute of `typeID` (used for the file and the memory), replacing any of that name.
    private func writeAttribute(_ name: String, typeID: hid_t, shape: [Int]?, bytes: UnsafeRawPointer?) throws {
        try withExistingObject(writingAction: "write attribute \"\(name)\"") { fileID in
            if try attributeExists(name, fileID: fileID),
               H5Adelete_by_name(fileID, objectPath, name, defaultPropertyList) < 0 {
                throw attributeFailure("cannot replace", name)
            }
            let spaceID = makeDataspace(shape ?? [])
            guard spaceID >= 0 else { throw attributeFailure("cannot make the dataspace of", name) }
            defer { H5Sclose(spaceID) }
            let attributeID = H5Acreate_by_name(fileID, objectPath, name, typeID, spaceID,
                                                defaultPropertyList, defaultPropertyList, defaultPropertyList)
            guard attributeID >= 0 else { throw attributeFailure("cannot create", name) }
            defer { H5Aclose(attributeID) }
            if shape != [0], H5Awrite(attributeID, typeID, bytes) < 0 {
                throw attributeFailure("cannot write", name)
            }
        }
    }

    private func missingAttribute(_ name: String) -> StoreError {
        file.error(.notFound, objectPath: objectPath, reason: "\(objectDescription) has no attribute \"\(name)\"")
    }

    private func notSingle(_ name: String, shape: [Int]) -> StoreError {
        file.error(.wrongShape, objectPath: objectPath,
                   reason: "attribute \"\(name)\" on \(objectDescription) has shape \(describeShape(shape)), expected a single value")
    }

    private func attributeFailure(_ action: String, _ name: String, problem: StoreError.Problem = .operationFailed) -> StoreError {
        file.error(problem, objectPath: objectPath,
                   reason: "\(action) attribute \"\(name)\" on \(objectDescription)\(hdf5ErrorDetail())")
    }
}
