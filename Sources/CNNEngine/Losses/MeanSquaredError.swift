/// Mean squared error: L = mean((y - t)²) over every element; dL/dy = 2 (y - t) / count.
public final class MeanSquaredError {
    /// dL/dy of the last call.
    public let gradient = Tensor(shape: [0])

    public init() {}

    /// The mean squared error; also fills `gradient`.
    /// - Throws: `ShapeError` when the shapes differ.
    public func loss(predictions: Tensor, targets: Tensor) throws -> Float {
        guard predictions.shape == targets.shape else {
            throw ShapeError("MeanSquaredError: predictions \(predictions.shape.shapeDescription) and targets \(targets.shape.shapeDescription) differ")
        }
        gradient.resize(to: predictions.shape)
        let n = predictions.count
        var total = 0.0
        for i in 0..<n {
            let d = predictions.pointer[i] - targets.pointer[i]
            total += Double(d * d)
            gradient.pointer[i] = 2 * d / Float(n)
        }
        return Float(total / Double(max(n, 1)))
    }
}
