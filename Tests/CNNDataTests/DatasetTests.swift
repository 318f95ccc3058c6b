import CNNData
import CNNEngine
import Foundation
import Testing

@Suite("Data sets")
struct DatasetTests {
    @Test("MNIST: 60,000 and 10,000 digits, 28x28, first labels 5 and 7, known pixels")
    func mnist() throws {
        let (train, test) = try Dataset.mnist(directory: repositoryPath("datasets/mnist"))
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.imageShape == [1, 28, 28] && test.imageShape == [1, 28, 28])
        #expect(train.labels.first == 5 && test.labels.first == 7)
        #expect(Array(train.labels.prefix(5)) == [5, 0, 4, 1, 9])
        #expect(train.classNames == (0...9).map(String.init))
        #expect(train.name == "MNIST train" && test.name == "MNIST test")
        // Reference values from Python's gzip module on the same files.
        #expect(train.image(at: 0).reduce(0) { $0 + Int($1) } == 27_525)
        #expect(test.image(at: 0).reduce(0) { $0 + Int($1) } == 18_454)
        #expect(Array(train.image(at: 0)[(14 * 28 + 10)...].prefix(8)) == [0, 0, 0, 81, 240, 253, 253, 119])
        #expect(train.classCounts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    }

    @Test("Fashion-MNIST, when installed: 60,000 and 10,000 images, first labels 9 and 9")
    func fashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: Dataset.fashionMNISTDefaultDirectory) else {
            print("Skipping Fashion-MNIST: \(Dataset.fashionMNISTDefaultDirectory) is missing (apt-get install dataset-fashion-mnist)")
            return
        }
        let (train, test) = try Dataset.fashionMNIST()
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.imageShape == [1, 28, 28])
        #expect(Array(train.labels.prefix(5)) == [9, 0, 0, 3, 0] && Array(test.labels.prefix(5)) == [9, 2, 1, 1, 6])
        #expect(train.classNames[9] == "Ankle boot" && train.classNames[0] == "T-shirt/top")
        #expect(train.image(at: 0).reduce(0) { $0 + Int($1) } == 76_247)
        #expect(train.classCounts == [Int](repeating: 6000, count: 10))
    }

    @Test("a small MNIST-format folder, gzipped or plain, loads to the bytes written", arguments: [true, false])
    func smallMNIST(gzipped: Bool) throws {
        try withTemporaryDirectory { dir in
            try writeSmallMNIST(in: dir, gzipped: gzipped)
            let (train, test) = try Dataset.mnist(directory: dir)
            #expect(train.count == 12 && test.count == 5)
            #expect(train.imageShape == [1, 4, 3])
            #expect(train.labels == (0..<12).map { Int32($0 % 10) })
            #expect(Array(train.image(at: 2)) == (0..<12).map { UInt8(14 + $0) })
        }
    }

    @Test("image and label counts that differ name both files")
    func countMismatch() throws {
        try withTemporaryDirectory { dir in
            try writeSmallMNIST(in: dir)
            let labels = dir + "/t10k-labels-idx1-ubyte.gz"
            try writeFile(labels, idxBytes(dimensions: [4], values: [1, 2, 3, 4]), gzipped: true)
            let error = #expect(throws: DataError.self) { try Dataset.mnist(directory: dir) }
            #expect(error?.kind == .inconsistentCounts)
            #expect(error?.description == labels + ": holds 4 labels but \(dir)/t10k-images-idx3-ubyte.gz holds 5 images")
        }
    }

    @Test("a label outside the classes names the file and the image")
    func labelOutOfRange() throws {
        try withTemporaryDirectory { dir in
            try writeSmallMNIST(in: dir)
            let labels = dir + "/train-labels-idx1-ubyte.gz"
            try writeFile(labels, idxBytes(dimensions: [12], values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 10]), gzipped: true)
            let error = #expect(throws: DataError.self) { try Dataset.mnist(directory: dir) }
            #expect(error?.description == labels + ": label 10 of image 11 is outside 0...9")
        }
    }

    @Test("a missing MNIST file names the gzipped path looked for")
    func missingMNIST() throws {
        try withTemporaryDirectory { dir in
            let error = #expect(throws: DataError.self) { try Dataset.mnist(directory: dir) }
            #expect(error?.kind == .missingFile)
            #expect(error?.description == dir + "/train-images-idx3-ubyte.gz: file not found")
        }
    }

    @Test("a seeded split holds out the same images for the same seed, and partitions the data")
    func split() throws {
        let labels = (0..<100).map { Int32($0 % 10) }
        let data = try Dataset(name: "toy", images: (0..<100).map { UInt8($0) }, labels: labels,
                               channels: 1, height: 1, width: 1, classNames: (0...9).map(String.init))
        let (training, validation) = try data.split(validationCount: 20, seed: 7)
        let again = try data.split(validationCount: 20, seed: 7)
        let other = try data.split(validationCount: 20, seed: 8)
        #expect(training.count == 80 && validation.count == 20)
        #expect(again.validation == validation && again.training == training)
        #expect(other.validation.images != validation.images)
        #expect(Set(training.images + validation.images) == Set(0..<100))
        #expect(training.images == training.images.sorted())
        #expect(zip(validation.images, validation.labels).allSatisfy { Int32($0.0 % 10) == $0.1 })
        #expect(validation.name == "toy (validation)")
        #expect(throws: ConfigurationError.self) { try data.split(validationCount: 101, seed: 7) }
    }

    @Test("padding MNIST-sized digits to 32x32 centres them on zeros")
    func padding() throws {
        let data = try Dataset(name: "two", images: (0..<2 * 28 * 28).map { UInt8(1 + $0 % 250) }, labels: [3, 4],
                               channels: 1, height: 28, width: 28, classNames: (0...9).map(String.init))
        let padded = try data.padded(toHeight: 32, width: 32)
        #expect(padded.imageShape == [1, 32, 32] && padded.count == 2 && padded.labels == [3, 4])
        let image = Array(padded.image(at: 1))
        #expect(image[0..<64].allSatisfy { $0 == 0 })                       // two rows of zeros on top
        #expect(image[2 * 32 + 2] == data.image(at: 1).first!)              // (0, 0) moves to (2, 2)
        #expect(image[29 * 32 + 29] == data.image(at: 1).last!)             // (27, 27) moves to (29, 29)
        #expect(image[29 * 32 + 30] == 0)
        #expect(image.reduce(0) { $0 + Int($1) } == data.image(at: 1).reduce(0) { $0 + Int($1) })
        #expect(throws: ShapeError.self) { try data.padded(toHeight: 20, width: 32) }
    }

    @Test("downsampling: each pixel the rounded mean of its block, odd edges dropped, labels kept")
    func downsampling() throws {
        let data = try Dataset(name: "two", images: (0..<2 * 5 * 4).map { UInt8($0 * 6 % 256) }, labels: [3, 4],
                               channels: 1, height: 5, width: 4, classNames: (0...9).map(String.init))
        let small = try data.downsampled(by: 2)
        #expect(small.imageShape == [1, 2, 2] && small.count == 2 && small.labels == [3, 4])
        let source = Array(data.image(at: 1)), image = Array(small.image(at: 1))
        for y in 0..<2 {
            for x in 0..<2 {
                let block = [source[(2 * y) * 4 + 2 * x], source[(2 * y) * 4 + 2 * x + 1],
                             source[(2 * y + 1) * 4 + 2 * x], source[(2 * y + 1) * 4 + 2 * x + 1]].map(Int.init)
                #expect(Int(image[y * 2 + x]) == (block.reduce(0, +) + 2) / 4)
            }
        }
        #expect(try data.downsampled(by: 1).images == data.images)
        #expect(throws: ShapeError.self) { try data.downsampled(by: 6) }
        #expect(throws: ShapeError.self) { try data.downsampled(by: 0) }
    }

    @Test("a folder of PNGs, one subfolder per class, in sorted class order")
    func imageFolder() throws {
        try withTemporaryDirectory { dir in
            for (split, classes) in [("train", ["dog", "cat"]), ("test", ["cat"])] {
                for (k, name) in classes.enumerated() {
                    let folder = "\(dir)/\(split)/\(name)"
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    for i in 0..<2 {
                        let value = UInt8(40 * k + 10 * i + (split == "test" ? 100 : 0))
                        try PNGImage(width: 3, height: 2, grey: [UInt8](repeating: value, count: 6)).write(to: "\(folder)/\(i).png")
                    }
                }
            }
            let (train, test) = try Dataset.imageFolder(directory: dir, name: "pets")
            #expect(train.classNames == ["cat", "dog"])
            #expect(train.labels == [0, 0, 1, 1])
            #expect(train.imageShape == [1, 2, 3])
            #expect(train.images == [40, 50, 0, 10].flatMap { [UInt8](repeating: $0, count: 6) })
            #expect(test.labels == [0, 0] && test.classNames == ["cat", "dog"])
            #expect(test.name == "pets test")
            let colour = try Dataset(imageFolder: dir + "/train", channels: 3)
            #expect(colour.imageShape == [3, 2, 3] && colour.images.count == 4 * 18)

            // A test image of another size, and a test class unknown to training, name the file or folder.
            try PNGImage(width: 2, height: 2, grey: [1, 2, 3, 4]).write(to: dir + "/test/cat/odd.png")
            let sizeError = #expect(throws: DataError.self) { try Dataset.imageFolder(directory: dir) }
            #expect(sizeError?.description == dir + "/test/cat/odd.png: is 2x2 (width x height), but the training images are 3x2")
            try FileManager.default.removeItem(atPath: dir + "/test/cat/odd.png")
            try FileManager.default.createDirectory(atPath: dir + "/test/bird", withIntermediateDirectories: true)
            let classError = #expect(throws: DataError.self) { try Dataset.imageFolder(directory: dir) }
            #expect(classError?.description == dir + "/test/bird: class folder \"bird\" is not among the classes [\"cat\", \"dog\"]")
        }
        let missing = #expect(throws: DataError.self) { try Dataset(imageFolder: "/nonexistent/pets") }
        #expect(missing?.description == "/nonexistent/pets: folder not found")
    }
}
