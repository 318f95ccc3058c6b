#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Local response normalisation across channels (Krizhevsky et al. 2012; PyTorch's `LocalResponseNorm`):
/// y_c = x_c / (k + α/n Σ x_{c'}²)^β, the sum over channels c - ⌊n/2⌋ ... c + ⌊(n-1)/2⌋.
public final class LocalResponseNorm: Layer {
    public let name: String
    public var kind: LayerKind { .localResponseNorm }
    public let size: Int
    public let alpha: Float
    public let beta: Float
    public let k: Float
    public var isTraining = true
    public var needsInputGradient = true
    private var input: Tensor?
    private let scale = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let inputGradient = Tensor(shape: [0])
    private let scratch = Scratch()

    public init(_ name: String, size: Int = 5, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 2) throws {
        guard size > 0 else { throw ConfigurationError("LocalResponseNorm \"\(name)\": size must be positive, got \(size)") }
        self.name = name; self.size = size; self.alpha = alpha; self.beta = beta; self.k = k
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input, rank: 4, what: "[N, C, H, W]")
        let n = input.shape[0], c = input.shape[1], s = input.shape[2] * input.shape[3]
        output.resize(to: input.shape)
        scale.resize(to: input.shape)
        let before = size / 2, after = (size - 1) / 2, a = alpha / Float(size)
        let x = UncheckedSendable(UnsafePointer(input.pointer)), out = UncheckedSendable((output.pointer, scale.pointer))
        let (kk, bb) = (k, beta)
        Parallel.forEach(n) { image, _ in
            let (y, sc) = out.value
            let base = image * c * s
            for ch in 0..<c {
                let dst = sc + base + ch * s
                dst.update(repeating: 0, count: s)
                for j in max(0, ch - before)...min(c - 1, ch + after) {
                    let src = x.value + base + j * s
                    for i in 0..<s { dst[i] += src[i] * src[i] }
                }
                let src = x.value + base + ch * s, yy = y + base + ch * s
                for i in 0..<s {
                    dst[i] = kk + a * dst[i]
                    yy[i] = src[i] * powf(dst[i], -bb)
                }
            }
        }
        self.input = input
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let input else { throw ShapeError("LocalResponseNorm \"\(name)\": backward called before forward") }
        try checkGradient(outputGradient, matches: output)
        inputGradient.resize(to: input.shape)
        let n = input.shape[0], c = input.shape[1], s = input.shape[2] * input.shape[3]
        let before = size / 2, after = (size - 1) / 2
        let factor = 2 * alpha * beta / Float(size), bb = beta
        let x = UncheckedSendable(UnsafePointer(input.pointer)), sc = UncheckedSendable(UnsafePointer(scale.pointer))
        let dy = UncheckedSendable(UnsafePointer(outputGradient.pointer)), dx = UncheckedSendable(inputGradient.pointer)
        let workers = Parallel.workerCount(for: n)
        let buffers = UncheckedSendable(scratch.buffers(workers: workers, count: c * s))
        Parallel.forEach(n, workers: workers) { image, worker in
            let base = image * c * s
            // t_i = dy_i · x_i · s_i^(-β-1), then dx_j = dy_j s_j^-β - (2αβ/n) x_j Σ_{i: j ∈ window(i)} t_i.
            let t = buffers.value[worker]
            for i in 0..<(c * s) {
                let sv = sc.value[base + i]
                t[i] = dy.value[base + i] * x.value[base + i] * powf(sv, -bb - 1)
            }
            for ch in 0..<c {
                let d = dx.value + base + ch * s
                for p in 0..<s { d[p] = dy.value[base + ch * s + p] * powf(sc.value[base + ch * s + p], -bb) }
                // i ranges over channels whose window contains ch: ch - after ... ch + before.
                for i in max(0, ch - after)...min(c - 1, ch + before) {
                    let xs = x.value + base + ch * s
                    for p in 0..<s { d[p] -= factor * xs[p] * t[i * s + p] }
                }
            }
        }
        return inputGradient
    }
}
