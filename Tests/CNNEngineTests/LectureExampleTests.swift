import CNNEngine
import Testing
import _TestSupport

/// The worked examples of the lectures (docs/figures/AB.md, A1 to A6), computed by the engine's own layers.
@Suite("Lecture worked examples")
struct LectureExampleTests {
    func conv(_ input: [[Float]], _ kernel: [[Float]], padding: Int = 0, stride: Int = 1) throws -> [[Float]] {
        let h = input.count, w = input[0].count, kh = kernel.count, kw = kernel[0].count
        let layer = try Conv2D("conv", inChannels: 1, outChannels: 1, kernelSize: Pair(kh, kw), stride: Pair(stride, stride),
                               padding: .uniform(padding), bias: false)
        try layer.weight.value.assign(Tensor(shape: [1, 1, kh, kw], values: kernel.flatMap { $0 }))
        let y = try layer.forward(Tensor(shape: [1, 1, h, w], values: input.flatMap { $0 }))
        let ow = y.shape[3]
        return (0..<y.shape[2]).map { r in (0..<ow).map { y[0, 0, r, $0] } }
    }

    func pool(_ layer: any Layer, _ input: [[Float]]) throws -> [[Float]] {
        let y = try layer.forward(Tensor(shape: [1, 1, input.count, input[0].count], values: input.flatMap { $0 }))
        return (0..<y.shape[2]).map { r in (0..<y.shape[3]).map { y[0, 0, r, $0] } }
    }

    @Test("A1 Sobel walkthrough (CSC321 lecture 6; the slide's last entry 300 is a typo for 400)")
    func a1SobelWalkthrough() throws {
        let input: [[Float]] = [[100, 100, 100, 100, 100, 100], [100, 100, 100, 100, 100, 100],
                                [100, 0, 0, 100, 100, 100], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]
        let sobel: [[Float]] = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]
        #expect(try conv(input, sobel) == [[300, 300, 100, 0], [400, 400, 400, 400], [100, 100, 300, 400]])
    }

    @Test("A2 3x3 * 2x2, without and with zero padding 1 (CNN overview lecture)")
    func a2SmallConvolution() throws {
        let input: [[Float]] = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
        let kernel: [[Float]] = [[0, 1], [2, 3]]
        #expect(try conv(input, kernel) == [[19, 25], [37, 43]])
        #expect(try conv(input, kernel, padding: 1) == [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]])
    }

    @Test("A3 blur on a padded 7x7 image (ML in Python lecture; the slide's 21 is a typo for 28)")
    func a3PaddedBlur() throws {
        let image: [[Float]] = [[1, 2, 3, 4, 12, 9, 8], [5, 2, 3, 4, 12, 9, 8], [5, 2, 1, 4, 10, 9, 8], [7, 2, 1, 4, 12, 7, 8],
                                [7, 2, 1, 4, 14, 9, 8], [5, 2, 3, 4, 12, 7, 8], [5, 2, 1, 4, 12, 9, 8]]
        let blur: [[Float]] = [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
        let out = try conv(image, blur, padding: 1)
        #expect(out.count == 7 && out[0].count == 7)
        #expect(out[0] == [20, 28, 36, 69, 111, 114, 75])
    }

    @Test("A4 Cartesian axes exercise: vertical and horizontal line filters, then 2x2 max pool (CIS 522)")
    func a4CartesianAxes() throws {
        let image: [[Float]] = [[0, 1, 0, 1], [0, 1, 0, 1], [1, 1, 1, 1], [0, -2, 0, -2]]
        let vertical: [[Float]] = Array(repeating: [-0.5, 1, -0.5], count: 3)
        let horizontal: [[Float]] = (0..<3).map { r in (0..<3).map { vertical[$0][r] } }
        let v = try conv(image, vertical), h = try conv(image, horizontal)
        #expect(v == [[2, -2], [-1, 1]])
        #expect(h == [[-1, -0.5], [3.5, 4]])
        let maxPool = try MaxPool2D("pool", kernelSize: 2)
        #expect(try pool(maxPool, v) == [[2]])
        #expect(try pool(maxPool, h) == [[4]])
    }

    @Test("A5 pooling: 2x2 max and average with stride 1, and the stride-2 average quiz")
    func a5Pooling() throws {
        let input: [[Float]] = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
        #expect(try pool(try MaxPool2D("max", kernelSize: 2, stride: 1), input) == [[4, 5], [7, 8]])
        #expect(try pool(try AvgPool2D("avg", kernelSize: 2, stride: 1), input) == [[2, 3], [5, 6]])
        let quiz: [[Float]] = [[12, 20, 30, 0], [20, 12, 2, 0], [0, 70, 5, 2], [8, 2, 90, 3]]
        #expect(try pool(try AvgPool2D("avg", kernelSize: 2, stride: 2), quiz) == [[16, 8], [20, 25]])
    }

    @Test("A6 output-shape arithmetic: stride, 'same' padding, dilation", arguments: [
        (7, 3, 2, Padding.valid, 1, 3),   // quiz: 7x7, 3x3, stride 2, no padding
        (5, 3, 1, Padding.uniform(1), 1, 5), // 'same'
        (5, 3, 1, Padding.same, 1, 5),
        (7, 3, 1, Padding.valid, 2, 3),   // dilation 2: k_eff = 5
        (32, 5, 1, Padding.valid, 1, 28), // LeNet C1
        (224, 11, 4, Padding.uniform(2), 1, 55), // AlexNet conv1
    ])
    func a6OutputShapes(_ c: (Int, Int, Int, Padding, Int, Int)) throws {
        let layer = try Conv2D("c", inChannels: 1, outChannels: 1, kernelSize: Pair(c.1, c.1), stride: Pair(c.2, c.2),
                               padding: c.3, dilation: Pair(c.4, c.4))
        #expect(try layer.outputShape(for: [1, c.0, c.0]) == [1, c.5, c.5])
        // The formula floor((n - k_eff + p + s) / s) with p the total padding agrees.
        let pad = c.3.resolve(height: c.0, width: c.0, kernel: Pair(c.1, c.1), stride: Pair(c.2, c.2), dilation: Pair(c.4, c.4))
        let kEff = c.4 * (c.1 - 1) + 1
        #expect((c.0 - kEff + pad.top + pad.bottom + c.2) / c.2 == c.5)
        #expect(try layer.forward(Tensor(shape: [1, 1, c.0, c.0])).shape == [1, 1, c.5, c.5])
    }

    @Test("A7 parameter counting: 200x200 image fully connected to 500 units; 3x5x5+1 per filter")
    func a7ParameterCounts() throws {
        #expect(try Dense("fc", inFeatures: 200 * 200, outFeatures: 500).parameterCount == 20_000_500)
        #expect(try Conv2D("c", inChannels: 3, outChannels: 1, kernelSize: 5).parameterCount == 3 * 5 * 5 + 1)
        #expect(try Conv2D("c", inChannels: 3, outChannels: 10, kernelSize: 5).parameterCount == 10 * (3 * 5 * 5 + 1))
    }
}
