import CNNEngine
import Testing
import _TestSupport

/// NaN goes through every layer as it does in PyTorch, so a broken model shows NaN outputs, never plausible numbers.
@Suite("NaN propagation")
struct NaNPropagationTests {
    /// 19 values (two 8-wide vector blocks and a scalar tail) with NaN in both parts.
    static let inputs: [Float] = [.nan, -1, 2, 0, .infinity, -.infinity, 3, -2, 1, .nan, -0.5, 4, 0.25, -3, 5, -1, 0, .nan, 7]

    func tensor(_ values: [Float]) -> Tensor {
        let t = Tensor(shape: [1, values.count])
        for (i, v) in values.enumerated() { t.pointer[i] = v }
        return t
    }

    @Test func reluKeepsNaNAndPassesItsGradient() throws {
        let relu = ReLU("relu")
        let y = try relu.forward(tensor(Self.inputs)).values
        for (x, out) in zip(Self.inputs, y) {
            if x.isNaN { #expect(out.isNaN, "relu(NaN) = \(out); PyTorch gives NaN") } else { #expect(out == max(x, 0)) }
        }
        // torch.relu's backward: the gradient flows where the input is not <= 0, NaN included.
        let dx = try relu.backward(tensor([Float](repeating: 1, count: Self.inputs.count))).values
        for (x, g) in zip(Self.inputs, dx) { #expect(g == (x <= 0 ? 0 : 1), "d relu at \(x) = \(g)") }
    }

    @Test func leakyReLUGradientIsTheSameInTheVectorAndScalarParts() throws {
        let leaky = LeakyReLU("leaky", slope: 0.1)
        let y = try leaky.forward(tensor(Self.inputs)).values
        #expect(zip(Self.inputs, y).allSatisfy { !$0.isNaN || $1.isNaN })
        let dx = try leaky.backward(tensor([Float](repeating: 1, count: Self.inputs.count))).values
        for (x, g) in zip(Self.inputs, dx) { #expect(g == (x <= 0 ? 0.1 : 1), "d leaky at \(x) = \(g)") }
    }

    @Test func maxPoolingPicksNaN() throws {
        let pool = try MaxPool2D("pool", kernelSize: 2)
        let x = Tensor(shape: [1, 1, 2, 4])
        for (i, v) in [Float](arrayLiteral: 1, .nan, 5, 6, 3, 2, 7, 8).enumerated() { x.pointer[i] = v }
        let y = try pool.forward(x).values
        #expect(y[0].isNaN && y[1] == 8)
    }
}
