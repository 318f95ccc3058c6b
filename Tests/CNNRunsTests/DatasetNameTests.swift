// The one parser of data-set names, the data source a model file records, and the padding rule.
import CNNData
import CNNEngine
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("Data-set names")
struct DatasetNameTests {
    @Test("every spelling in use parses to its data set", arguments: [
        ("mnist", DatasetName.mnist), ("MNIST", .mnist), ("MNIST train", .mnist), ("MNIST test", .mnist),
        ("fashion-mnist", .fashionMNIST), ("fashion_mnist", .fashionMNIST), ("fashionmnist", .fashionMNIST),
        ("fmnist", .fashionMNIST), ("Fashion-MNIST", .fashionMNIST), ("Fashion MNIST", .fashionMNIST),
        ("Fashion-MNIST train", .fashionMNIST), ("Fashion-MNIST test", .fashionMNIST),
        ("cifar10", .cifar10), ("cifar-10", .cifar10), ("CIFAR-10", .cifar10), ("CIFAR_10", .cifar10),
        ("CIFAR-10 train", .cifar10), ("CIFAR-10 train (validation)", .cifar10),
        ("datasets/shapes", .folder("datasets/shapes")), ("runs/my train", .folder("runs/my train")),
    ])
    func spellings(spelling: String, expected: DatasetName) {
        #expect(DatasetName(spelling) == expected)
    }

    @Test func namesRoundTripAndReadAsSlidesWriteThem() throws {
        for name in [DatasetName.mnist, .fashionMNIST, .cifar10, .folder("/data/shapes")] {
            #expect(DatasetName(name.identifier) == name)
        }
        #expect([DatasetName.mnist, .fashionMNIST, .cifar10, .folder("/data/shapes")].map(\.displayName)
                == ["MNIST", "Fashion-MNIST", "CIFAR-10", "shapes"])
        #expect(DatasetName.withoutSplit("shapes test (validation)") == "shapes" && DatasetName.withoutSplit("CIFAR-10 Train") == "CIFAR-10")
        #expect(DatasetName.folder("data/../data/shapes").isSameData(as: .folder("data/shapes")))
        #expect(!DatasetName.mnist.isSameData(as: .fashionMNIST))

        // Stored in model files as {"name", "directory"}, read back from any spelling.
        let encoded = String(decoding: try JSONEncoder().encode(DataSource(name: "Fashion_MNIST")), as: UTF8.self)
        #expect(encoded == "{\"name\":\"fashion-mnist\"}")
        let decoded = try JSONDecoder().decode(DataSource.self, from: Data("{\"name\":\"CIFAR-10\",\"directory\":\"/d\"}".utf8))
        #expect(decoded == DataSource(.cifar10, directory: "/d"))
    }

    @Test("an unknown data set is an error naming the file that names it")
    func unknownDataSet() throws {
        let folder = try temporaryFolder("CNNRunsTests")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try writeModel("logreg", input: [1, 28, 28], classes: 10, to: folder.appendingPathComponent("model.h5"),
                                  source: nil, recordName: "imagenet train")
        let model = try TrainedModel(contentsOf: file)
        #expect(model.trainedOn?.name == .folder("imagenet"))
        let error = try #require(throws: ConfigurationError.self) { try model.testSet() }
        #expect(error.description.hasPrefix("\(file): unknown data set \"imagenet\": use mnist, fashion-mnist, cifar10 or a folder"),
                "\(error)")
        // Given on the command line, the name is the mistake, not the file.
        let given = try #require(throws: ConfigurationError.self) { try model.testSet(name: "imagenet") }
        #expect(given.description.hasPrefix("unknown data set \"imagenet\""), "\(given)")
        let cifar = try #require(throws: ConfigurationError.self) { try DataSource(.cifar10).load() }
        #expect(cifar.description.contains("CIFAR-10 needs --data-dir"))
    }

    @Test("images are centred on a model's input at most 8 pixels larger, of the same channels")
    func paddingRule() throws {
        #expect(Preprocessing.pads([1, 28, 28], to: [1, 32, 32]))
        #expect(Preprocessing.pads([1, 28, 28], to: [1, 28, 32]))
        #expect(!Preprocessing.pads([1, 28, 28], to: [1, 28, 28]))
        #expect(!Preprocessing.pads([1, 28, 28], to: [3, 32, 32]))
        #expect(!Preprocessing.pads([1, 20, 20], to: [1, 32, 32]))
        #expect(!Preprocessing.pads([1, 32, 32], to: [1, 28, 28]))
        let images = try Dataset(name: "two", images: [UInt8](repeating: 7, count: 2 * 8), labels: [0, 1], channels: 1, height: 2,
                                 width: 4, classNames: ["a", "b"])
        let padded = try Preprocessing.fitted(images, downsample: nil, to: [1, 4, 6])
        #expect(padded.imageShape == [1, 4, 6])
        #expect(Array(padded.image(at: 0)) == [0, 0, 0, 0, 0, 0] + [0, 7, 7, 7, 7, 0] + [0, 7, 7, 7, 7, 0] + [0, 0, 0, 0, 0, 0])
        // Shrunk images are the model's input: a model is built for the size it trains on.
        let shrunk = try Preprocessing.fitted(images, downsample: 2, to: [1, 2, 4])
        #expect(shrunk.imageShape == [1, 1, 2] && Array(shrunk.image(at: 1)) == [7, 7])
    }
}
