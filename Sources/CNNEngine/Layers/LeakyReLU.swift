/// Leaky rectifier: y = x for x > 0, slope · x otherwise.
public final class LeakyReLU: ElementwiseActivation {
    public let name: String
    public var kind: String { "LeakyReLU" }
    public let slope: Float
    public var isTraining = true
    public var needsInputGradient = true
    var input: Tensor?
    let output = Tensor(shape: [0])
    let inputGradient = Tensor(shape: [0])

    public init(_ name: String, slope: Float = 0.01) { self.name = name; self.slope = slope }

    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range { y[i] = x[i] > 0 ? x[i] : slope * x[i] }
    }

    func derivative(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                    _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for i in range { dx[i] = x[i] > 0 ? dy[i] : slope * dy[i] }
    }
}
