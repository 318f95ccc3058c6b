// The weight-gradient norms a training run records in its model file's metadata (`gradient_norms`,
// JSON): written by CNNBench's trainer, read by the figures.
import CNNEngine
import Foundation

/// Weight-gradient norms at the start, middle and end of training: for every weight with at least two
/// dimensions (convolutions and dense layers), ‖∂L/∂W‖₂ summed over the first `batchesPerEpoch`
/// batches of the first, middle and last epochs (`recordedEpochs`). Stored as
/// JSON in the model file's metadata (`gradient_norms`), so a resumed run keeps it.
public struct GradientNormLog: Codable, Sendable, Equatable {
    public static let metadataKey = "gradient_norms"
    public static let batchesPerEpoch = 10

    /// One epoch's sums: parameter path -> summed norm, and the batches summed.
    public struct Epoch: Codable, Sendable, Equatable {
        public var batches = 0
        public var sums: [String: Double] = [:]
        /// The mean norm of each weight over the summed batches.
        public var means: [String: Double] { sums.mapValues { $0 / Double(max(batches, 1)) } }
    }

    /// Keyed by epoch number (1-based), as text for JSON.
    public var epochs: [String: Epoch] = [:]

    public init() {}

    /// The epochs whose first batches are recorded: 1, the middle one and the last.
    public static func recordedEpochs(of epochs: Int) -> Set<Int> { [1, (epochs + 1) / 2, epochs] }

    /// Adds the current gradients of `network`'s weights to epoch `epoch`.
    public mutating func record(epoch: Int, network: Sequential) {
        var entry = epochs[String(epoch)] ?? Epoch()
        for (path, parameter) in network.namedParameters where parameter.value.shape.count >= 2 {
            let g = parameter.gradient.pointer
            var squares = 0.0
            for i in 0..<parameter.gradient.count { squares += Double(g[i]) * Double(g[i]) }
            entry.sums[path, default: 0] += squares.squareRoot()
        }
        entry.batches += 1
        epochs[String(epoch)] = entry
    }
}


extension GradientNormLog {
    /// The log stored in a model file's metadata, nil when the file has none.
    /// - Throws: `StoreError` naming the file when the metadata is there but is not such a log.
    public init?(contents: ModelFileContents, file: String) throws {
        guard let json = contents.metadata[Self.metadataKey] else { return nil }
        do { self = try JSONDecoder().decode(GradientNormLog.self, from: Data(json.utf8)) } catch {
            throw StoreError(.wrongType, file: file, objectPath: "/@\(Self.metadataKey)", reason: "not a gradient-norm log: \(error)")
        }
    }
}
