// Shared plumbing for layers that act on each element alone (activations, dropout).

/// Elements per task for element-wise work: fixed, so results never depend on the thread count.
let elementBlock = 1 << 15

/// Applies `body(range)` over `0..<count` in parallel blocks.
@inline(__always)
func forEachElementBlock(_ count: Int, _ body: (Range<Int>) -> Void) {
    Parallel.forEachBlock(count, blockSize: elementBlock) { range, _ in body(range) }
}

/// An activation function with its derivative, written in terms of input x and output y.
protocol ElementwiseActivation: Layer {
    var input: Tensor? { get set }
    var output: Tensor { get }
    var inputGradient: Tensor { get }
    /// y = f(x) over a block.
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>)
    /// dx = dy · f'(x) over a block, from x, y = f(x) and dy.
    func derivative(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                    _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>)
}

extension ElementwiseActivation {
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor) throws -> Tensor { try elementwiseForward(input) }

    public func backward(_ outputGradient: Tensor) throws -> Tensor { try elementwiseBackward(outputGradient) }

    /// y = f(x) in parallel blocks; keeps x for the backward pass.
    func elementwiseForward(_ input: Tensor) throws -> Tensor {
        output.resize(to: input.shape)
        let x = UncheckedSendable(UnsafePointer(input.pointer)), y = UncheckedSendable(output.pointer)
        forEachElementBlock(input.count) { apply(x.value, y.value, $0) }
        self.input = input
        return output
    }

    /// dx = dy · f'(x) in parallel blocks.
    func elementwiseBackward(_ outputGradient: Tensor) throws -> Tensor {
        guard let input else { throw ShapeError("\(kind) \"\(name)\": backward called before forward") }
        try checkGradient(outputGradient, matches: output)
        inputGradient.resize(to: input.shape)
        let x = UncheckedSendable(UnsafePointer(input.pointer)), y = UncheckedSendable(UnsafePointer(output.pointer))
        let dy = UncheckedSendable(UnsafePointer(outputGradient.pointer)), dx = UncheckedSendable(inputGradient.pointer)
        forEachElementBlock(input.count) { derivative(x.value, y.value, dy.value, dx.value, $0) }
        return inputGradient
    }
}
