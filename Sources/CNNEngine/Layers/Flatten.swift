/// Flattens each sample to one dimension: [N, C, H, W] -> [N, C·H·W] (row-major, as PyTorch).
public final class Flatten: Layer {
    public let name: String
    public var kind: LayerKind { .flatten }
    public var isTraining = true
    public var needsInputGradient = true
    private var inputShape: [Int] = []
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])

    public init(_ name: String = "flatten") { self.name = name }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { [inputShape.reduce(1, *)] }

    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.shape.count >= 2 else {
            throw ShapeError("Flatten \"\(name)\": expected input [N, ...], got \(input.shape.shapeDescription)")
        }
        inputShape = input.shape
        output.resize(to: [input.shape[0], input.count / max(input.shape[0], 1)])
        output.pointer.update(from: input.pointer, count: input.count)
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try checkGradient(outputGradient, matches: output)
        inputGradient.resize(to: inputShape)
        inputGradient.pointer.update(from: outputGradient.pointer, count: outputGradient.count)
        return inputGradient
    }
}
