import CNNEngine
import CNNStore
import Foundation
import Testing
import _TestSupport

/// Keras files (written in Keras' layouts by Fixtures/make_keras_fixtures.py) read into the engine's layout.
@Suite("Keras import")
struct KerasImportTests {
    static let fixtures = repositoryRoot().appendingPathComponent("Tests/CNNStoreTests/Fixtures")

    /// The fixture's conv kernel encodes its own index: (1000 o + 100 c + 10 i + j) / 10000.
    func expectOrientation(_ weight: Tensor) {
        #expect(weight.shape == [3, 2, 3, 3])
        var worst: Float = 0
        for o in 0..<3 { for c in 0..<2 { for i in 0..<3 { for j in 0..<3 {
            worst = max(worst, abs(weight[o, c, i, j] - Float(1000 * o + 100 * c + 10 * i + j) / 10000))
        } } } }
        #expect(worst < 1e-6, "conv kernel not in [out, in, kh, kw] order (worst error \(worst))")
    }

    @Test func keras2WholeModelFileRebuildsAndRuns() throws {
        let url = Self.fixtures.appendingPathComponent("keras2_sequential.h5")
        #expect(KerasFile.isKerasFile(url) && !ModelFile.isModelFile(url))
        let (spec, network, contents) = try ModelFile.loadModel(from: url)
        #expect(spec.inputShape == [2, 6, 6] && spec.classes == 4)
        #expect(spec.layers.map(\.name) == ["conv1", "conv1_activation", "pool1", "flatten", "fc"])
        expectOrientation(try #require(contents.weights.first { $0.path == "conv1/weight" }).tensor)

        // End to end: the engine's output equals NumPy's channels-last forward pass.
        let expected = try HDF5File(opening: Self.fixtures.appendingPathComponent("keras_expected.h5"))
        defer { try? expected.close() }
        let nhwc = try expected.readTensor(at: "input_nhwc"), want = try expected.readTensor(at: "output")
        let (n, h, w, c) = (nhwc.shape[0], nhwc.shape[1], nhwc.shape[2], nhwc.shape[3])
        let nchw = Tensor(shape: [n, c, h, w])
        for b in 0..<n { for y in 0..<h { for x in 0..<w { for ch in 0..<c { nchw[b, ch, y, x] = nhwc[b, y, x, ch] } } } }
        let got = try network.forward(nchw)
        #expect(got.shape == want.shape)
        #expect(maxRelativeError(got.values, want.values) < 1e-4)
    }

    @Test func keras3WeightsFileReadsLayersInOrder() throws {
        let url = Self.fixtures.appendingPathComponent("keras3.weights.h5")
        let (layers, config) = try KerasFile.read(from: url)
        #expect(config == nil)
        #expect(layers.map(\.name) == ["conv1", "pool1", "flatten", "fc"])
        #expect(layers[0].weights.map(\.shape) == [[3, 3, 2, 3], [3]])
        // Without a config the weights alone come through, rearranged to the engine's layout.
        let contents = try KerasFile.contents(of: url)
        #expect(contents.architectureJSON.isEmpty)
        expectOrientation(try #require(contents.weights.first { $0.path == "conv1/weight" }).tensor)
        #expect(contents.weights.first { $0.path == "fc/weight" }?.tensor.shape == [4, 27])
        let error = #expect(throws: StoreError.self) { try ModelFile.loadModel(from: url) }
        #expect(error?.description.contains("architecture could not be rebuilt") == true)
    }

    @Test func keras2FileWithBadShapesNamesTheLayer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keras-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("broken.h5")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("keras2_sequential.h5"), to: copy)
        do {
            let file = try HDF5File(opening: copy, mode: .readWrite)
            _ = try file.write([Float](repeating: 0, count: 12), shape: [3, 4], to: "model_weights/fc/sequential/fc/kernel:0")
            try file.close()
        }
        let error = #expect(throws: StoreError.self) { try ModelFile.loadModel(from: copy) }
        #expect(error?.description.contains("broken.h5") == true)
        #expect(error?.description.contains("fc/") == true)
    }
}
