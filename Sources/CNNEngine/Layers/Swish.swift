#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Swish (Ramachandran et al. 2017), PyTorch's `SiLU`: y = x · σ(x), dy/dx = σ(x) + y (1 - σ(x)).
public final class Swish: ElementwiseActivation {
    public let name: String
    public var kind: LayerKind { .swish }
    public var isTraining = true
    public var needsInputGradient = true
    var input: Tensor?
    let output = Tensor(shape: [0])
    let inputGradient = Tensor(shape: [0])

    public init(_ name: String) { self.name = name }

    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range { y[i] = x[i] / (1 + expf(-x[i])) }
    }

    func derivative(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                    _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range {
            let s = 1 / (1 + expf(-x[i]))
            dx[i] = dy[i] * (s + y[i] * (1 - s))
        }
    }
}
