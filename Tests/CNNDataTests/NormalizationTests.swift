import CNNData
import CNNEngine
import Testing

@Suite("Normalisation")
struct NormalizationTests {
    @Test("statistics of a small two-channel data set, exactly")
    func smallStatistics() throws {
        // Channel 0 holds 0 and 255 (mean 0.5, std 0.5); channel 1 holds 51 everywhere (mean 0.2, std 0 -> 1).
        let data = try Dataset(name: "two", images: [0, 255, 51, 51, 255, 0, 51, 51], labels: [0, 1],
                               channels: 2, height: 1, width: 2, classNames: ["a", "b"])
        let stats = Normalization(statisticsOf: data)
        #expect(stats.mean == [0.5, 0.2])
        #expect(stats.standardDeviation == [0.5, 1])
        #expect(stats.normalize(255, channel: 0) == 1)
        #expect(stats.normalize(0, channel: 0) == -1)
        #expect(try stats.offset(channels: 2) == [-1, -0.2])
        #expect(try stats.scale(channels: 2) == [1 / 127.5, 1 / 255])
    }

    @Test("MNIST's training statistics are the customary 0.1307 and 0.3081")
    func mnistStatistics() throws {
        let (train, _) = try Dataset.mnist(directory: repositoryPath("datasets/mnist"))
        let stats = Normalization(statisticsOf: train)
        // 1,567,298,545 / (47,040,000 x 255) = 0.130660; population std 0.308108.
        #expect(abs(stats.mean[0] - 0.130_660_48) < 1e-6)
        #expect(abs(stats.standardDeviation[0] - 0.308_107_8) < 1e-6)
        #expect(abs(stats.mean[0] - Normalization.mnist.mean[0]) < 1e-4)
        #expect(abs(stats.standardDeviation[0] - Normalization.mnist.standardDeviation[0]) < 1e-4)
    }

    @Test("a batch tensor holds (byte / 255 - mean) / std, padded MNIST digits at 32x32")
    func mnistBatch() throws {
        let (_, test) = try Dataset.mnist(directory: repositoryPath("datasets/mnist"))
        let padded = try test.padded(toHeight: 32, width: 32)
        let (inputs, labels) = try padded.batch([0, 1], normalization: .mnist)
        #expect(inputs.shape == [2, 1, 32, 32])
        #expect(labels == [7, 2])
        let black = (0 - 0.1307) / Float(0.3081)
        #expect(abs(inputs[0, 0, 0, 0] - black) < 1e-6)
        // Test digit 0, pixel (row 7, column 6) is 84; padding moves it to (9, 8).
        #expect(test.image(at: 0)[7 * 28 + 6] == 84)
        #expect(abs(inputs[0, 0, 9, 8] - (84 / 255 - 0.1307) / 0.3081) < 1e-5)
        let sum = inputs.values[0..<1024].reduce(0, +)
        let expected = (Float(18_454) / 255 - 1024 * 0.1307) / 0.3081
        #expect(abs(sum - expected) < 1e-2)
    }

    @Test("statistics for the wrong number of channels are refused")
    func channelMismatch() throws {
        let data = try Dataset(name: "rgb", images: [UInt8](repeating: 9, count: 12), labels: [0],
                               channels: 3, height: 2, width: 2, classNames: ["x"])
        #expect(throws: ShapeError.self) { try data.batch([0], normalization: Normalization(mean: [0, 0], standardDeviation: [1, 1])) }
        // One value serves every channel.
        let (inputs, _) = try data.batch([0], normalization: .mnist)
        #expect(abs(inputs[0, 2, 1, 1] - (9 / 255 - 0.1307) / 0.3081) < 1e-6)
    }
}
