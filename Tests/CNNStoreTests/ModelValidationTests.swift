import CHDF5
import CNNEngine
import CNNStore
import Foundation
import Testing
import _TestSupport

/// Every model file is validated as it is read: a bad value is one error naming the file, the array and the problem.
@Suite("Model files: validation on read")
struct ModelValidationTests {
    /// A 2x2 one-channel input flattened into a dense layer of three classes.
    static let spec = ModelSpec(name: "tiny", inputShape: [1, 2, 2], classes: 3,
                                layers: [.flatten(name: "F"), .dense(name: "D", inFeatures: 4, outFeatures: 3)])

    static func contents(_ change: (inout ModelFileContents) -> Void = { _ in }) throws -> ModelFileContents {
        let weight = Tensor(shape: [3, 4]), bias = Tensor(shape: [3])
        for i in 0..<12 { weight.pointer[i] = Float(i) / 10 }
        var c = ModelFileContents(
            model: "tiny", architectureJSON: String(decoding: try JSONEncoder().encode(spec), as: UTF8.self),
            inputShape: [1, 2, 2], classes: 3, weights: [("D/weight", weight), ("D/bias", bias)],
            dataset: DatasetRecord(name: "toy", classNames: ["a", "b", "c"], normalizationMean: [0.5], normalizationStd: [0.25]))
        change(&c)
        return c
    }

    /// Writes `contents` to a fresh file, loads it back, and returns the error's text (nil when it loads).
    func loadError(_ contents: ModelFileContents, in folder: URL, file name: String = "m.h5",
                   adjust: (HDF5File) throws -> Void = { _ in }) throws -> String? {
        let url = folder.appendingPathComponent(name)
        try ModelFile.write(contents, to: url)
        let file = try HDF5File(opening: url, mode: .readWrite)
        try adjust(file)
        try file.close()
        do { _ = try ModelFile.loadModel(from: url); return nil } catch let error as StoreError {
            #expect(error.file == url.path)
            return error.description
        }
    }

    @Test func aGoodFileLoads() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try loadError(Self.contents(), in: folder) == nil)
    }

    @Test func nonFiniteWeightsAreRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nan = try loadError(Self.contents { $0.weights[0].tensor.pointer[5] = .nan }, in: folder)
        #expect(nan?.contains("m.h5: /weights/D/weight: holds nan at index 5") == true, "\(nan ?? "loaded")")
        let inf = try loadError(Self.contents { $0.weights[1].tensor.pointer[2] = -.infinity }, in: folder)
        #expect(inf?.contains("/weights/D/bias: holds -inf at index 2") == true, "\(inf ?? "loaded")")
        let variance = Tensor(shape: [3], repeating: 1)
        variance.pointer[1] = -2
        let negative = try loadError(Self.contents { $0.buffers = [("N/running_var", variance)] }, in: folder)
        #expect(negative?.contains("/buffers/N/running_var: holds the negative variance -2.0") == true, "\(negative ?? "loaded")")
    }

    @Test func normalisationNeedsPositiveFiniteStandardDeviations() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for std in [[0.0], [-1.0], [Double.nan], [Double.infinity]] {
            let text = try loadError(Self.contents { $0.dataset?.normalizationStd = std }, in: folder)
            #expect(text?.contains("normalization_std holds") == true, "\(std): \(text ?? "loaded")")
        }
        let empty = try loadError(Self.contents { $0.dataset?.normalizationStd = []; $0.dataset?.normalizationMean = [] }, in: folder)
        #expect(empty?.contains("normalization_mean has 0 values and normalization_std 0") == true, "\(empty ?? "loaded")")
        let mean = try loadError(Self.contents { $0.dataset?.normalizationMean = [.nan] }, in: folder)
        #expect(mean?.contains("normalization_mean holds nan") == true, "\(mean ?? "loaded")")
    }

    @Test func classesAndVersionsMustBeReal() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let zero = try loadError(Self.contents { $0.classes = 0 }, in: folder)
        #expect(zero?.contains("/classes: is 0; a model has at least one class") == true, "\(zero ?? "loaded")")
        for version: Int64 in [0, -1] {
            let text = try loadError(Self.contents(), in: folder) { try $0.setAttribute("format_version", to: version) }
            #expect(text?.contains("the format_version attribute is \(version); versions start at 1") == true, "\(text ?? "loaded")")
        }
        let names = try loadError(Self.contents { $0.dataset?.classNames = ["a"] }, in: folder)
        #expect(names?.contains("class_names lists 1 names for 3 classes") == true, "\(names ?? "loaded")")
    }

    @Test func aHugeDeclaredLayerIsRefusedBeforeAllocating() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The architecture declares a 784 x 200M dense layer; the file stores 15 values.
        var huge = Self.spec
        huge.layers[1] = .dense(name: "D", inFeatures: 784, outFeatures: 200_000_000)
        let text = try loadError(Self.contents { $0.architectureJSON = String(decoding: try! JSONEncoder().encode(huge), as: UTF8.self) }, in: folder)
        #expect(text?.contains("the architecture declares 157000000000 weights, the file stores only 15") == true, "\(text ?? "loaded")")

        // A dataset declared as 200M x 784 floats, chunked and never written: 627 GB from a file of a few KB.
        let url = folder.appendingPathComponent("declared.h5")
        try ModelFile.write(try Self.contents(), to: url)
        let fileID = H5Fopen(url.path, cnn_h5f_acc_rdwr(), hid_t(H5P_DEFAULT))
        try #require(fileID >= 0)
        let dims: [hsize_t] = [200_000_000, 784]
        let space = H5Screate_simple(2, dims, nil)
        let dcpl = H5Pcreate(cnn_h5p_dataset_create())
        H5Pset_chunk(dcpl, 2, [1024, 784])
        H5Ldelete(fileID, "/weights/D/weight", hid_t(H5P_DEFAULT))
        let dataset = H5Dcreate2(fileID, "/weights/D/weight", cnn_h5t_native_float(), space, hid_t(H5P_DEFAULT), dcpl, hid_t(H5P_DEFAULT))
        try #require(dataset >= 0)
        H5Dclose(dataset); H5Pclose(dcpl); H5Sclose(space); H5Fclose(fileID)
        let error = #expect(throws: StoreError.self) { try ModelFile.read(from: url) }
        #expect(error?.description.contains("declared.h5: dataset \"/weights/D/weight\" declares shape [200000000, 784]") == true
                || error?.description.contains("declares shape [200000000, 784]") == true, "\(String(describing: error))")
        #expect(error?.problem == .corrupt)
    }
}
