/// DenseNet's connection (Huang et al. 2017): y = [x, g(x)], concatenated along channels.
public final class ChannelConcat: Layer {
    public let name: String
    public var kind: LayerKind { .channelConcat }
    public let body: Sequential
    public var isTraining = true
    public var needsInputGradient = true
    private var input: Tensor?
    private let output = Tensor(shape: [0])
    private let bodyGradient = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])

    public init(_ name: String, body: Sequential) { self.name = name; self.body = body }

    public var sublayers: [any Layer] { body.layers }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let g = try body.outputShape(for: inputShape)
        guard g.count == inputShape.count, Array(g.dropFirst()) == Array(inputShape.dropFirst()) else {
            throw ShapeError("ChannelConcat \"\(name)\": body output \(g.shapeDescription) must keep the input's spatial size \(inputShape.shapeDescription)")
        }
        return [inputShape[0] + g[0]] + inputShape.dropFirst()
    }

    public func multiplyAdds(for inputShape: [Int]) throws -> Int { try body.multiplyAdds(for: inputShape) }

    public func forward(_ input: Tensor) throws -> Tensor {
        let g = try body.forward(input)
        _ = try outputShape(for: Array(input.shape.dropFirst()))
        let n = input.shape[0], a = input.count / n, b = g.count / n
        output.resize(to: [n, input.shape[1] + g.shape[1]] + input.shape.dropFirst(2))
        for i in 0..<n {
            (output.pointer + i * (a + b)).update(from: input.pointer + i * a, count: a)
            (output.pointer + i * (a + b) + a).update(from: g.pointer + i * b, count: b)
        }
        self.input = input
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let input else { throw ShapeError("ChannelConcat \"\(name)\": backward called before forward") }
        try checkGradient(outputGradient, matches: output)
        let n = input.shape[0], a = input.count / n, b = outputGradient.count / n - a
        bodyGradient.resize(to: [n, output.shape[1] - input.shape[1]] + input.shape.dropFirst(2))
        for i in 0..<n {
            (bodyGradient.pointer + i * b).update(from: outputGradient.pointer + i * (a + b) + a, count: b)
        }
        let dbody = try body.backward(bodyGradient)
        inputGradient.resize(to: input.shape)
        for i in 0..<n {
            for j in 0..<a { inputGradient.pointer[i * a + j] = outputGradient.pointer[i * (a + b) + j] + dbody.pointer[i * a + j] }
        }
        return inputGradient
    }
}
