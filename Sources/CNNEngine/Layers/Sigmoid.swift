#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Logistic sigmoid: y = 1 / (1 + e^-x), dy/dx = y (1 - y).
public final class Sigmoid: ElementwiseActivation {
    public let name: String
    public var kind: LayerKind { .sigmoid }
    public var isTraining = true
    public var needsInputGradient = true
    var input: Tensor?
    let output = Tensor(shape: [0])
    let inputGradient = Tensor(shape: [0])

    public init(_ name: String) { self.name = name }

    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range { y[i] = 1 / (1 + expf(-x[i])) }
    }

    func derivative(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                    _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range { dx[i] = dy[i] * y[i] * (1 - y[i]) }
    }
}
