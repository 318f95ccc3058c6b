#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Hyperbolic tangent: y = tanh(x), dy/dx = 1 - y².
public final class Tanh: ElementwiseActivation {
    public let name: String
    public var kind: LayerKind { .tanh }
    public var isTraining = true
    public var needsInputGradient = true
    var input: Tensor?
    let output = Tensor(shape: [0])
    let inputGradient = Tensor(shape: [0])

    public init(_ name: String) { self.name = name }

    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range { y[i] = tanhf(x[i]) }
    }

    func derivative(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                    _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range { dx[i] = dy[i] * (1 - y[i] * y[i]) }
    }
}
