#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// How the learning rate changes with training progress, measured in epochs (fractional within an epoch).
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    /// The shape of the decay after warm-up.
    public enum Decay: Codable, Equatable, Sendable {
        /// The base rate throughout.
        case constant
        /// Multiply by `gamma` every `stepSize` epochs.
        case step(stepSize: Int, gamma: Double)
        /// Multiply by `gamma` at each milestone epoch.
        case multiStep(milestones: [Int], gamma: Double)
        /// Cosine annealing from the base rate to `minimum` over `epochs` (Loshchilov and Hutter 2017).
        case cosine(epochs: Int, minimum: Double)
    }

    public var decay: Decay
    /// Epochs of linear warm-up from 0 to the base rate (Goyal et al. 2017); 0 for none.
    public var warmupEpochs: Double

    public init(_ decay: Decay = .constant, warmupEpochs: Double = 0) {
        self.decay = decay
        self.warmupEpochs = warmupEpochs
    }

    /// The learning rate at `epoch` (0-based; 1.5 is halfway through the second epoch).
    public func rate(base: Double, epoch: Double) -> Double {
        var r: Double
        switch decay {
        case .constant: r = base
        case let .step(size, gamma): r = base * pow(gamma, Double(Int(epoch) / max(size, 1)))
        case let .multiStep(milestones, gamma): r = base * pow(gamma, Double(milestones.filter { Double($0) <= epoch }.count))
        case let .cosine(epochs, minimum):
            let t = min(epoch / Double(max(epochs, 1)), 1)
            r = minimum + (base - minimum) * (1 + cos(Double.pi * t)) / 2
        }
        if warmupEpochs > 0 && epoch < warmupEpochs { r *= epoch / warmupEpochs }
        return r
    }
}
