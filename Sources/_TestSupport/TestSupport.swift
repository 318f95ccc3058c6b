// Helpers shared by the test targets: random tensors, numerical gradient checks, comparisons.
import CNNEngine

/// A tensor of the given shape with values drawn uniformly from [-scale, scale), seeded.
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var g = SeededGenerator(seed: seed)
    let t = Tensor(shape: shape)
    for i in 0..<t.count { t[flat: i] = (2 * g.nextUniform() - 1) * scale }
    return t
}

/// The largest |a - b| / max(1, |b|) over two arrays of the same length.
public func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "maxRelativeError: \(a.count) vs \(b.count) values")
    var worst: Float = 0
    for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(1, abs(y))) }
    return worst
}

/// Whether two arrays are equal bit for bit.
public func bitIdentical(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// The result of a numerical gradient check of one tensor.
public struct GradientCheck: CustomStringConvertible {
    public var what: String
    public var checked: Int
    /// ‖analytic - numeric‖ / (‖analytic‖ + ‖numeric‖) over the checked elements.
    public var relativeError: Double
    public var description: String { "\(what): \(checked) points, relative error \(relativeError)" }
}

/// Checks a layer's dL/dx and dL/dθ against central differences of L = Σ r ⊙ layer(x),
/// at up to `points` random elements of the input and of each parameter.
///
/// The loss is summed in Double from float32 outputs; the step `h` is chosen for float32.
public func gradientCheck(_ layer: any Layer, input: Tensor, points: Int = 24, h: Float = 1e-2,
                          seed: UInt64 = 7) throws -> [GradientCheck] {
    let output = try layer.forward(input)
    let r = randomTensor(output.shape, seed: seed &+ 1)
    func loss() throws -> Double {
        let y = try layer.forward(input)
        var s = 0.0
        for i in 0..<y.count { s += Double(y[flat: i]) * Double(r[flat: i]) }
        return s
    }
    layer.zeroGradients()
    _ = try layer.forward(input)
    let dx = try layer.backward(r).copy()
    let analyticParameters = layer.namedParameters.map { ($0.path, $0.parameter.value, $0.parameter.gradient.copy()) }

    var generator = SeededGenerator(seed: seed)
    func check(_ what: String, values: Tensor, analytic: Tensor) throws -> GradientCheck {
        let indices = values.count <= points ? Array(0..<values.count) : (0..<points).map { _ in generator.nextInt(below: values.count) }
        var diff = 0.0, na = 0.0, nn = 0.0
        for i in indices {
            let saved = values[flat: i]
            values[flat: i] = saved + h
            let plus = try loss()
            values[flat: i] = saved - h
            let minus = try loss()
            values[flat: i] = saved
            let numeric = (plus - minus) / Double(2 * h)
            let a = Double(analytic[flat: i])
            diff += (a - numeric) * (a - numeric); na += a * a; nn += numeric * numeric
        }
        let denominator = na.squareRoot() + nn.squareRoot()
        return GradientCheck(what: what, checked: indices.count, relativeError: denominator == 0 ? 0 : diff.squareRoot() / denominator)
    }
    var results = [try check("\(layer.name) input", values: input, analytic: dx)]
    for (path, value, gradient) in analyticParameters {
        results.append(try check(path, values: value, analytic: gradient))
    }
    return results
}
