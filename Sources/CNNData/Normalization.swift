// Per-channel normalisation of byte pixels, x = (byte / 255 - mean[c]) / std[c], folded into one
// multiply-add per pixel: x = byte * scale[c] + offset[c], scale = 1 / (255 std), offset = -mean / std.

import CNNEngine

/// Per-channel mean and standard deviation of pixel values in [0, 1], to map bytes to (byte / 255 - mean) / std.
public struct Normalization: Sendable, Equatable, Codable {
    /// The mean of each channel, in [0, 1] units.
    public var mean: [Float]
    /// The standard deviation of each channel, in [0, 1] units.
    public var standardDeviation: [Float]

    /// Creates a normalisation from per-channel means and standard deviations (one value for all channels is allowed).
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(mean.count == standardDeviation.count && !mean.isEmpty,
                     "Normalization: \(mean.count) means and \(standardDeviation.count) standard deviations")
        precondition(standardDeviation.allSatisfy { $0 > 0 }, "Normalization: standard deviations must be positive")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// MNIST's customary statistics, mean 0.1307 and standard deviation 0.3081 over the training digits.
    public static let mnist = Normalization(mean: [0.1307], standardDeviation: [0.3081])

    /// Fashion-MNIST's training statistics, mean 0.2860 and standard deviation 0.3530.
    public static let fashionMNIST = Normalization(mean: [0.2860], standardDeviation: [0.3530])

    /// CIFAR-10's training statistics per channel (red, green, blue).
    public static let cifar10 = Normalization(mean: [0.4914, 0.4822, 0.4465], standardDeviation: [0.2470, 0.2435, 0.2616])

    /// No centring: bytes map to byte / 255 in [0, 1].
    public static let unitRange = Normalization(mean: [0], standardDeviation: [1])

    /// The statistics of a data set, per channel over every pixel of every image (population standard deviation).
    public init(statisticsOf dataset: Dataset) {
        // Byte histograms give exact sums whatever the size of the data set.
        var histogram = [UInt64](repeating: 0, count: dataset.channels * 256)
        let plane = dataset.height * dataset.width
        histogram.withUnsafeMutableBufferPointer { counts in
            dataset.images.withUnsafeBufferPointer { bytes in
                guard var p = bytes.baseAddress else { return }
                for _ in 0..<dataset.count {
                    for c in 0..<dataset.channels {
                        let bins = counts.baseAddress! + 256 * c
                        for i in 0..<plane { bins[Int(p[i])] += 1 }
                        p += plane
                    }
                }
            }
        }
        var mean: [Float] = [], deviation: [Float] = []
        for c in 0..<dataset.channels {
            var n = 0.0, sum = 0.0, squares = 0.0
            for value in 0..<256 {
                let k = Double(histogram[256 * c + value]), x = Double(value) / 255
                n += k
                sum += k * x
                squares += k * x * x
            }
            let m = n > 0 ? sum / n : 0
            mean.append(Float(m))
            deviation.append(Float(max(squares / max(n, 1) - m * m, 0).squareRoot()))
        }
        self.init(mean: mean, standardDeviation: deviation.map { $0 > 0 ? $0 : 1 })
    }

    /// The multiplier of each byte per channel, 1 / (255 std[c]), for `channels` channels.
    /// - Throws: `ShapeError` when the statistics are for neither 1 nor `channels` channels.
    public func scale(channels: Int) throws -> [Float] {
        try perChannel(standardDeviation, channels: channels).map { 1 / (255 * $0) }
    }

    /// The offset added per channel, -mean[c] / std[c]: where a byte of 0 (black, or zero padding) lands.
    /// - Throws: `ShapeError` when the statistics are for neither 1 nor `channels` channels.
    public func offset(channels: Int) throws -> [Float] {
        let m = try perChannel(mean, channels: channels), s = try perChannel(standardDeviation, channels: channels)
        return zip(m, s).map { -$0 / $1 }
    }

    /// The normalised value of one byte in channel `channel`.
    public func normalize(_ byte: UInt8, channel: Int) -> Float {
        let c = mean.count == 1 ? 0 : channel
        return (Float(byte) / 255 - mean[c]) / standardDeviation[c]
    }

    private func perChannel(_ values: [Float], channels: Int) throws -> [Float] {
        if values.count == channels { return values }
        guard values.count == 1 else {
            throw ShapeError("Normalization: statistics for \(values.count) channels, images have \(channels)")
        }
        return [Float](repeating: values[0], count: channels)
    }
}
