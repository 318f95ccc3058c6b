// Weight initialisers, drawn from a seeded generator so that a seed fixes every number.
// fan_in = inC/groups * kH * kW (or `in` for dense), fan_out = outC * kH * kW, as in PyTorch.

/// How a layer's weights are drawn at initialisation.
public enum Initializer: String, Codable, Sendable, CaseIterable {
    /// He et al. 2015: N(0, 2 / fan_in), for ReLU networks.
    case heNormal
    /// He et al. 2015: U(-b, b) with b = sqrt(6 / fan_in).
    case heUniform
    /// Glorot and Bengio 2010: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)).
    case glorotUniform
    /// Glorot and Bengio 2010: N(0, 2 / (fan_in + fan_out)).
    case glorotNormal
    /// LeCun et al. 1998: N(0, 1 / fan_in), for tanh and SELU networks.
    case lecunNormal
    /// LeCun: U(-b, b) with b = sqrt(3 / fan_in).
    case lecunUniform
    /// PyTorch's default for Conv2d and Linear: U(-b, b) with b = 1 / sqrt(fan_in).
    case pytorchDefault
    /// Krizhevsky, Sutskever and Hinton 2012: N(0, 0.01²) whatever the fans. Small enough that a first
    /// layer's trained filters show what it learned rather than the noise it started from.
    case alexNetGaussian

    /// Fills `tensor` with draws for a layer of the given fans.
    public func fill(_ tensor: Tensor, fanIn: Int, fanOut: Int, using generator: inout SeededGenerator) {
        let fi = Float(max(fanIn, 1)), fo = Float(max(fanOut, 1))
        let p = tensor.pointer
        switch self {
        case .heNormal: Self.normal(p, tensor.count, std: (2 / fi).squareRoot(), &generator)
        case .glorotNormal: Self.normal(p, tensor.count, std: (2 / (fi + fo)).squareRoot(), &generator)
        case .lecunNormal: Self.normal(p, tensor.count, std: (1 / fi).squareRoot(), &generator)
        case .heUniform: Self.uniform(p, tensor.count, bound: (6 / fi).squareRoot(), &generator)
        case .glorotUniform: Self.uniform(p, tensor.count, bound: (6 / (fi + fo)).squareRoot(), &generator)
        case .lecunUniform: Self.uniform(p, tensor.count, bound: (3 / fi).squareRoot(), &generator)
        case .pytorchDefault: Self.uniform(p, tensor.count, bound: 1 / fi.squareRoot(), &generator)
        case .alexNetGaussian: Self.normal(p, tensor.count, std: 0.01, &generator)
        }
    }

    /// Fills a bias the way PyTorch does (U(-1/sqrt(fan_in), 1/sqrt(fan_in))) for `.pytorchDefault`, zeros otherwise.
    public func fillBias(_ tensor: Tensor, fanIn: Int, using generator: inout SeededGenerator) {
        if self == .pytorchDefault {
            Self.uniform(tensor.pointer, tensor.count, bound: 1 / Float(max(fanIn, 1)).squareRoot(), &generator)
        } else {
            tensor.fill(0)
        }
    }

    private static func normal(_ p: UnsafeMutablePointer<Float>, _ n: Int, std: Float, _ g: inout SeededGenerator) {
        for i in 0..<n { p[i] = g.nextNormal() * std }
    }

    private static func uniform(_ p: UnsafeMutablePointer<Float>, _ n: Int, bound: Float, _ g: inout SeededGenerator) {
        for i in 0..<n { p[i] = (2 * g.nextUniform() - 1) * bound }
    }
}
