// A model of every data set the toolkit trains (MNIST, Fashion-MNIST, CIFAR-10, a folder of PNGs; shrunk by a
// recipe; padded to 32x32) found, prepared, evaluated and drawn: its test set through `TrainedModel`, then figures.
import CNNData
import CNNEngine
import CNNFigures
import CNNModels
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("A model of each data-set kind")
struct DataKindsTests {
    /// The test set, an evaluation, and the figures drawn from the model and its data (E1, E6, C3).
    func drawFigures(_ path: String, expecting shape: [Int], in folder: URL, name: String? = nil, directory: String? = nil) throws {
        let model = try TrainedModel(contentsOf: path)
        let test = try model.testSet(name: name, directory: directory)
        #expect(test.imageShape == shape)
        let evaluation = try model.evaluate(on: test)
        #expect(evaluation.count == test.count && evaluation.confusion.joined().reduce(0, +) == test.count)
        let source = model.dataSource(name: name, directory: directory)
        let confusion = ConfusionFigure(model: model.spec.name, datasetName: source.displayName, evaluation: evaluation)
        let png = folder.appendingPathComponent("confusion.png").path
        try confusion.write(to: png, size: .inches(6, 4), dpi: 40)
        #expect(pngSize(atPath: png) == PixelSize(240, 160))
        let health = try NetworkHealth(model, dataset: test, limit: 8)
        #expect(health.caption.contains(model.displayName))
        let maps = try FeatureMapsFigure(model, input: try InputImage.testImage(0, of: test, for: model))
        #expect(maps.layers.first?.layer == "C1")
    }

    @Test func mnistAndFashionMNIST() throws {
        let folder = try temporaryFolder("CNNRunsTests")
        defer { try? FileManager.default.removeItem(at: folder) }
        let idx = folder.appendingPathComponent("idx")
        try writeIDX(in: idx)
        let mnist = try writeModel("lenet5", input: [1, 28, 28], classes: 10, to: folder.appendingPathComponent("mnist.h5"),
                                   source: DataSource(.mnist, directory: idx.path), recordName: "MNIST train")
        try drawFigures(mnist, expecting: [1, 28, 28], in: folder)
        #expect(try TrainedModel(contentsOf: mnist).displayName == "\(ModelZoo.displayName("lenet5")) on MNIST")

        // Only the record's name ("Fashion-MNIST train", as an ONNX import keeps it); the folder given as --data-dir.
        let fashion = try writeModel("lenet5", input: [1, 28, 28], classes: 10, to: folder.appendingPathComponent("fashion.h5"),
                                     source: nil, recordName: "Fashion-MNIST train")
        let model = try TrainedModel(contentsOf: fashion)
        #expect(model.trainedOn == DataSource(.fashionMNIST) && model.displayName == "\(ModelZoo.displayName("lenet5")) on Fashion-MNIST")
        #expect(try model.testSet(directory: idx.path).classNames == Dataset.fashionMNISTClassNames)
        try drawFigures(fashion, expecting: [1, 28, 28], in: folder, directory: idx.path)
        try drawFigures(fashion, expecting: [1, 28, 28], in: folder, name: "fashion_mnist", directory: idx.path)
    }

    @Test("a model trained on shrunk images is tested on shrunk images; a 32x32 one on padded ones")
    func downsampledAndPadded() throws {
        let folder = try temporaryFolder("CNNRunsTests")
        defer { try? FileManager.default.removeItem(at: folder) }
        let idx = folder.appendingPathComponent("idx")
        try writeIDX(in: idx)
        let source = DataSource(.mnist, directory: idx.path)
        let small = try writeModel("lenet5", input: [1, 14, 14], classes: 10, to: folder.appendingPathComponent("small.h5"),
                                   source: source, recordName: "MNIST train", recipeJSON: "{\"epochs\": 1, \"downsample\": 2}")
        try drawFigures(small, expecting: [1, 14, 14], in: folder)
        let paper = try writeModel("lenet5-1998", input: [1, 32, 32], classes: 10, to: folder.appendingPathComponent("paper.h5"),
                                   source: source, recordName: "MNIST train")
        try drawFigures(paper, expecting: [1, 32, 32], in: folder)
        let test = try TrainedModel(contentsOf: paper).testSet()
        #expect(test.image(at: 0).prefix(32).allSatisfy { $0 == 0 })
    }

    @Test func cifar10() throws {
        let folder = try temporaryFolder("CNNRunsTests")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("cifar")
        try writeCIFAR10(in: data)
        let path = try writeModel("lenet5", input: [3, 32, 32], classes: 10, to: folder.appendingPathComponent("cifar.h5"),
                                  source: DataSource(.cifar10, directory: data.path), recordName: "CIFAR-10 train",
                                  classNames: Dataset.cifar10ClassNames)
        try drawFigures(path, expecting: [3, 32, 32], in: folder)
        #expect(try TrainedModel(contentsOf: path).displayName == "\(ModelZoo.displayName("lenet5")) on CIFAR-10")
    }

    @Test func folderOfPNGs() throws {
        let folder = try temporaryFolder("CNNRunsTests")
        defer { try? FileManager.default.removeItem(at: folder) }
        let shapes = folder.appendingPathComponent("shapes")
        try writePNGFolder(in: shapes, classes: ["circle", "square", "triangle"])
        let path = try writeModel("lenet5", input: [3, 20, 20], classes: 3, to: folder.appendingPathComponent("shapes.h5"),
                                  source: DataSource(name: shapes.path), recordName: "shapes train",
                                  classNames: ["circle", "square", "triangle"])
        try drawFigures(path, expecting: [3, 20, 20], in: folder)
        let model = try TrainedModel(contentsOf: path)
        #expect(model.displayName == "\(ModelZoo.displayName("lenet5")) on shapes" && model.trainedOn?.name == .folder(shapes.path))
        // Another folder of other classes is refused in one sentence naming the model file.
        let other = folder.appendingPathComponent("two")
        try writePNGFolder(in: other, classes: ["x", "y"])
        let error = try #require(throws: ConfigurationError.self) { try model.testSet(name: other.path) }
        #expect(error.description == "\(path) has 3 classes, but two has 2 (x, y): give the data set the model was trained on")
    }
}
