// The engine's PyTorch reference, written by h5py: a real file from another writer, read through CNNStore.
import CNNStore
import Foundation
import Testing

@Test func layerReferenceListsItsCasesAndFileAttributes() throws {
    let file = try HDF5File(opening: layerReferenceURL)
    let cases = try file.childNames()
    #expect(cases.count == 35)
    #expect(cases.first == "adam_step")
    #expect(cases.contains("conv_k3_s2_p1"))
    #expect(cases.last == "tanh")
    #expect(try file.childNames(order: .creation) == cases, "h5py does not track creation order: name order instead")
    #expect(try file.attributeNames() == ["conv2d", "gradients", "layout", "precision", "seed", "torch_version"])
    #expect(try file.int64Attribute("seed") == 4242)
    #expect(try file.stringAttribute("conv2d") == "cross-correlation, no kernel flip")
}

@Test func layerReferenceConvolutionCaseReadsBackExactly() throws {
    let file = try HDF5File(opening: layerReferenceURL)
    let conv = try file.group("conv_k3_s2_p1")
    #expect(try conv.childNames() == ["b", "db", "dw", "dx", "dy", "w", "x", "y"])
    #expect(try conv.stringAttribute("op") == "conv2d")
    #expect(try conv.stringAttribute("description") == "3x3, stride 2, pad 1: 11x10 -> 6x5")
    #expect(try conv.int64ArrayAttribute("kernel_size") == [3, 3])
    #expect(try conv.int64ArrayAttribute("stride") == [2, 2])
    #expect(try conv.int64ArrayAttribute("padding") == [1, 1])
    #expect(try conv.int64Attribute("in_channels") == 4)
    #expect(try conv.int64Attribute("out_channels") == 3)
    #expect(try conv.doubleAttribute("torch_f32_max_abs_err") == 2.384185791015625e-06)

    let bias = try conv.read(Float.self, at: "b")
    #expect(bias == HDF5Array(shape: [3], values: [0.136809781, 0.00751552498, 0.0435969606], storedType: .float32))
    let weight = try conv.readTensor(at: "w", expectedShape: [3, 4, 3, 3])
    #expect(weight.values[0] == -0.0983908698)
    #expect(weight.values[5] == 0.252635777)
    #expect(weight.values.last == 0.0185793359)
    let x = try conv.read(Float.self, at: "x", expectedShape: [2, 4, 11, 10])
    #expect(Array(x.values.prefix(4)) == [-0.804417729, -0.47809729, 0.988426507, -1.18712711])
    #expect(try conv.dataset("y").shape == [2, 3, 6, 5])
    let widened = try conv.read(Double.self, at: "b")
    #expect(widened.values[0] == Double(Float(0.136809781)))
}

@Test func layerReferenceTargetsAreInt64() throws {
    let file = try HDF5File(opening: layerReferenceURL)
    let target = try file.read(Int64.self, at: "cross_entropy/target")
    #expect(target == HDF5Array(shape: [6], values: [0, 2, 3, 0, 1, 6], storedType: .int64))
    #expect(try file.group("cross_entropy").int64Attribute("num_classes") == 7)
    #expect(try file.dataset("cross_entropy_large_logits/target").elementType == .int64)
    let asFloat = try #require(throws: StoreError.self) { try file.read(Float.self, at: "cross_entropy/target") }
    #expect(asFloat.description.contains("layer_reference.h5"))
    #expect(asFloat.description.contains("holds int64 values"))
}

@Test func layerReferenceOpensReadOnlyWithoutChangingIt() throws {
    let before = try Data(contentsOf: layerReferenceURL)
    let file = try HDF5File(opening: layerReferenceURL)
    let error = try #require(throws: StoreError.self) { try file.setAttribute("touched", to: 1) }
    #expect(error.problem == .readOnly)
    try file.close()
    #expect(try Data(contentsOf: layerReferenceURL) == before)
}
