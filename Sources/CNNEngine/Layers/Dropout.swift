/// Dropout (Srivastava et al. 2014): in training, zeroes each element with probability p and scales the rest by 1/(1-p).
///
/// The mask comes from the layer's own seeded generator, drawn in element order, so a seed
/// fixes it whatever the number of threads. In evaluation mode the layer is the identity.
public final class Dropout: Layer {
    public let name: String
    public var kind: LayerKind { .dropout }
    public let probability: Float
    public var isTraining = true
    public var needsInputGradient = true
    /// The generator the masks are drawn from (saved with a checkpoint to resume exactly).
    public var generator: SeededGenerator
    private var mask = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])

    public init(_ name: String, probability: Float = 0.5, seed: UInt64 = 0) throws {
        guard probability >= 0, probability < 1 else {
            throw ConfigurationError("Dropout \"\(name)\": probability must be in [0, 1), got \(probability)")
        }
        self.name = name
        self.probability = probability
        self.generator = SeededGenerator(seed: seed)
    }

    public func initializeParameters(using generator: inout SeededGenerator) {
        self.generator = SeededGenerator(seed: generator.next())
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor) throws -> Tensor {
        output.resize(to: input.shape)
        guard isTraining, probability > 0 else {
            output.pointer.update(from: input.pointer, count: input.count)
            return output
        }
        mask.resize(to: input.shape)
        let scale = 1 / (1 - probability)
        let m = mask.pointer, x = input.pointer, y = output.pointer
        for i in 0..<input.count {
            m[i] = generator.nextUniform() < probability ? 0 : scale
            y[i] = x[i] * m[i]
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try checkGradient(outputGradient, matches: output)
        inputGradient.resize(to: outputGradient.shape)
        let dy = outputGradient.pointer, dx = inputGradient.pointer
        if isTraining && probability > 0 {
            let m = mask.pointer
            for i in 0..<outputGradient.count { dx[i] = dy[i] * m[i] }
        } else {
            dx.update(from: dy, count: outputGradient.count)
        }
        return inputGradient
    }
}
