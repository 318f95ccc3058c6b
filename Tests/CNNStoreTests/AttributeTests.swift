// Attributes: strings (variable- and fixed-length, as Keras 2 and 3 write them), Int64 and Double, names.
import CHDF5
import CNNStore
import Foundation
import Testing

@Test func attributesRoundTripOnFileGroupAndDataset() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("attributes.h5")
    let file = try HDF5File(creating: url)
    let group = try file.createGroup("model/C1")
    let dataset = try group.write([Float](repeating: 0, count: 6), shape: [6], to: "bias")

    try file.setAttribute("architecture", to: #"{"name": "LeNet-5", "layers": ["C1", "S2"]}"#)
    try file.setAttribute("format_version", to: 2)
    try group.setAttribute("kind", to: "Conv2D — 5×5")
    try group.setAttribute("kernel_size", to: [5, 5])
    try group.setAttribute("strides", to: [Int64(1), 2])
    try group.setAttribute("momentum", to: 0.9)
    try group.setAttribute("betas", to: [0.9, 0.999])
    try dataset.setAttribute("weight_names", to: ["C1/weight:0", "C1/bias:0", ""])
    try dataset.setAttribute("seed", to: Int64(-42))
    try file.close()

    let reopened = try HDF5File(opening: url)
    #expect(try reopened.stringAttribute("architecture") == #"{"name": "LeNet-5", "layers": ["C1", "S2"]}"#)
    #expect(try reopened.int64Attribute("format_version") == 2)
    let c1 = try reopened.group("model/C1")
    #expect(try c1.stringAttribute("kind") == "Conv2D — 5×5")
    #expect(try c1.int64ArrayAttribute("kernel_size") == [5, 5])
    #expect(try c1.int64ArrayAttribute("strides") == [1, 2])
    #expect(try c1.doubleAttribute("momentum") == 0.9)
    #expect(try c1.doubleArrayAttribute("betas") == [0.9, 0.999])
    #expect(try c1.doubleArrayAttribute("kernel_size") == [5, 5], "integers read as Double for settings")
    #expect(try c1.attributeNames() == ["betas", "kernel_size", "kind", "momentum", "strides"])
    #expect(try c1.attributeNames(order: .creation) == ["kind", "kernel_size", "strides", "momentum", "betas"])
    let bias = try reopened.dataset("model/C1/bias")
    #expect(try bias.stringArrayAttribute("weight_names") == ["C1/weight:0", "C1/bias:0", ""])
    #expect(try bias.int64Attribute("seed") == -42)
    #expect(try bias.hasAttribute("seed"))
    #expect(try !bias.hasAttribute("missing"))
    #expect(try reopened.stringArrayAttribute("architecture").count == 1, "a scalar string reads as an array of one")
}

@Test func settingAnAttributeAgainReplacesItAndRemoveDeletesIt() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("replace.h5"))
    try file.setAttribute("epochs", to: 3)
    try file.setAttribute("epochs", to: "three")
    #expect(try file.stringAttribute("epochs") == "three")
    try file.setAttribute("empty", to: [String]())
    try file.setAttribute("no_numbers", to: [Double]())
    #expect(try file.stringArrayAttribute("empty") == [])
    #expect(try file.doubleArrayAttribute("no_numbers") == [])
    #expect(try file.stringArrayAttribute("no_numbers") == [], "Keras stores a layer without weights so")
    try file.removeAttribute("epochs")
    #expect(try file.attributeNames() == ["empty", "no_numbers"])
    let error = try #require(throws: StoreError.self) { try file.removeAttribute("epochs") }
    #expect(error.problem == .notFound)
}

/// Adds a fixed-length string attribute through the C API, as h5py does for numpy `S` arrays (Keras 2).
private func addFixedLengthStrings(
    _ strings: [String], length: Int, padding: H5T_str_t, scalar: Bool = false,
    name: String, on objectPath: String, in url: URL
) throws {
    let fileID = H5Fopen(url.path, cnn_h5f_acc_rdwr(), hid_t(H5P_DEFAULT))
    try #require(fileID >= 0)
    defer { H5Fclose(fileID) }
    let typeID = H5Tcopy(cnn_h5t_c_s1())
    defer { H5Tclose(typeID) }
    H5Tset_size(typeID, length)
    H5Tset_strpad(typeID, padding)
    let fill = padding == H5T_STR_SPACEPAD ? UInt8(ascii: " ") : 0
    var bytes = [UInt8](repeating: fill, count: length * strings.count)
    for (index, string) in strings.enumerated() {
        for (offset, byte) in string.utf8.prefix(length).enumerated() { bytes[index * length + offset] = byte }
    }
    let spaceID = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, [hsize_t(strings.count)], nil)
    defer { H5Sclose(spaceID) }
    let attributeID = H5Acreate_by_name(fileID, objectPath, name, typeID, spaceID,
                                        hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
    try #require(attributeID >= 0)
    defer { H5Aclose(attributeID) }
    try #require(H5Awrite(attributeID, typeID, bytes) >= 0)
}

@Test func fixedLengthStringsReadLikeKeras2LayerNames() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("keras2.h5")
    let file = try HDF5File(creating: url)
    try file.createGroup("model_weights/conv2d_1")
    try file.close()
    // "conv2d_1" fills all 8 bytes: null padding leaves no terminator, and no byte may be lost.
    try addFixedLengthStrings(["conv2d_1", "dense", "flat"], length: 8, padding: H5T_STR_NULLPAD,
                              name: "layer_names", on: "/model_weights", in: url)
    try addFixedLengthStrings(["conv2d_1/kernel:0", "conv2d_1/bias:0"], length: 17, padding: H5T_STR_NULLTERM,
                              name: "weight_names", on: "/model_weights/conv2d_1", in: url)
    try addFixedLengthStrings(["tensorflow"], length: 16, padding: H5T_STR_SPACEPAD, scalar: true,
                              name: "backend", on: "/", in: url)
    try addFixedLengthStrings(["2.1.6"], length: 5, padding: H5T_STR_NULLPAD, scalar: true,
                              name: "keras_version", on: "/", in: url)

    let keras = try HDF5File(opening: url)
    let weights = try keras.group("model_weights")
    #expect(try weights.stringArrayAttribute("layer_names") == ["conv2d_1", "dense", "flat"])
    // A writer that fills a null-terminated field to the last byte still gets every byte back, as in h5py.
    #expect(try weights.group("conv2d_1").stringArrayAttribute("weight_names") == ["conv2d_1/kernel:0", "conv2d_1/bias:0"])
    #expect(try keras.stringAttribute("backend") == "tensorflow")
    #expect(try keras.stringAttribute("keras_version") == "2.1.6")
    let notSingle = try #require(throws: StoreError.self) { try weights.stringAttribute("layer_names") }
    #expect(notSingle.problem == .wrongShape)
    #expect(notSingle.description.contains("attribute \"layer_names\" on group \"/model_weights\" has shape [3], expected a single value"))
}

@Test func attributeErrorsNameTheFileTheObjectAndTheAttribute() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("attribute_errors.h5")
    let file = try HDF5File(creating: url)
    let group = try file.createGroup("optimizer")
    try group.setAttribute("name", to: "SGD")
    try group.setAttribute("learning_rate", to: 0.01)

    let missing = try #require(throws: StoreError.self) { try group.doubleAttribute("momentum") }
    #expect(missing.problem == .notFound)
    #expect(missing.description == "\(url.path): group \"/optimizer\" has no attribute \"momentum\"")
    let wrongType = try #require(throws: StoreError.self) { try group.int64Attribute("learning_rate") }
    #expect(wrongType.problem == .wrongType)
    #expect(wrongType.description.contains("attribute \"learning_rate\" on group \"/optimizer\" holds float64 values"))
    let stringAsNumber = try #require(throws: StoreError.self) { try group.doubleAttribute("name") }
    #expect(stringAsNumber.problem == .wrongType)
    let numberAsString = try #require(throws: StoreError.self) { try group.stringAttribute("learning_rate") }
    #expect(numberAsString.description.contains("holds float64 values, not strings"))
    let rootMissing = try #require(throws: StoreError.self) { try file.stringAttribute("model_config") }
    #expect(rootMissing.description.contains("the root group has no attribute \"model_config\""))
}
