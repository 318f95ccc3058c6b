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

/// The result of a numerical gradient check of one tensor, element by element.
public struct GradientCheck: CustomStringConvertible {
    /// One checked element: its index in the tensor, dL/dθ from `backward` and from central differences.
    public struct Element: CustomStringConvertible {
        public var index: Int
        public var analytic: Double
        public var numeric: Double
        public var description: String { "[\(index)] analytic \(analytic), numeric \(numeric)" }
    }

    /// The input (`conv input`) or the parameter's path (`conv/weight`).
    public var what: String
    /// The elements checked.
    public var checked: Int
    /// The elements where |analytic - numeric| > absoluteTolerance + relativeTolerance · max(|analytic|, |numeric|).
    public var mismatches: [Element]

    public var passed: Bool { mismatches.isEmpty }
    public var description: String {
        passed ? "\(what): \(checked) elements agree"
            : "\(what): \(mismatches.count) of \(checked) elements disagree: " + mismatches.prefix(5).map(\.description).joined(separator: "; ")
    }
}

/// Checks a layer's dL/dx and dL/dθ against central differences of L = Σ r ⊙ layer(x),
/// element by element, at up to `points` random elements of the input and of each parameter.
///
/// An element passes when |analytic - numeric| ≤ absoluteTolerance + relativeTolerance · max(|analytic|, |numeric|),
/// so one wrong element fails even when the tensor's norm is dominated by large correct ones.
/// The loss is summed in Double from float32 outputs; the step `h` is chosen for float32.
/// Dropout layers draw the same mask on every forward pass (their generators are reset before
/// each), so the check holds in training mode too.
public func gradientCheck(_ layer: any Layer, input: Tensor, points: Int = 24, h: Float = 1e-2, seed: UInt64 = 7,
                          absoluteTolerance: Double = 1e-3, relativeTolerance: Double = 2e-2) throws -> [GradientCheck] {
    var dropouts: [(layer: Dropout, state: SeededGenerator)] = []
    if let dropout = layer as? Dropout { dropouts.append((dropout, dropout.generator)) }
    layer.forEachLayer { visit in if let dropout = visit.layer as? Dropout { dropouts.append((dropout, dropout.generator)) } }
    func forward() throws -> Tensor {
        for (dropout, state) in dropouts { dropout.generator = state }
        return try layer.forward(input)
    }
    let output = try forward()
    let r = randomTensor(output.shape, seed: seed &+ 1)
    func loss() throws -> Double {
        let y = try forward()
        var s = 0.0
        for i in 0..<y.count { s += Double(y[flat: i]) * Double(r[flat: i]) }
        return s
    }
    layer.zeroGradients()
    _ = try forward()
    let dx = try layer.backward(r).copy()
    let analyticParameters = layer.namedParameters.map { ($0.path, $0.parameter.value, $0.parameter.gradient.copy()) }

    var generator = SeededGenerator(seed: seed)
    func check(_ what: String, values: Tensor, analytic: Tensor) throws -> GradientCheck {
        let indices = values.count <= points ? Array(0..<values.count) : (0..<points).map { _ in generator.nextInt(below: values.count) }
        var mismatches: [GradientCheck.Element] = []
        for i in indices {
            let saved = values[flat: i]
            values[flat: i] = saved + h
            let plus = try loss()
            values[flat: i] = saved - h
            let minus = try loss()
            values[flat: i] = saved
            let element = GradientCheck.Element(index: i, analytic: Double(analytic[flat: i]), numeric: (plus - minus) / Double(2 * h))
            let scale = max(abs(element.analytic), abs(element.numeric))
            if !(abs(element.analytic - element.numeric) <= absoluteTolerance + relativeTolerance * scale) { mismatches.append(element) }
        }
        return GradientCheck(what: what, checked: indices.count, mismatches: mismatches)
    }
    var results = [try check("\(layer.name) input", values: input, analytic: dx)]
    for (path, value, gradient) in analyticParameters {
        results.append(try check(path, values: value, analytic: gradient))
    }
    return results
}
