/// Leaky rectifier: y = x for x > 0, slope · x otherwise.
public final class LeakyReLU: ElementwiseActivation {
    public let name: String
    public var kind: LayerKind { .leakyReLU }
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
        var i = range.lowerBound
        let rx = UnsafeRawPointer(x), rdy = UnsafeRawPointer(dy), rdx = UnsafeMutableRawPointer(dx)
        while i + 8 <= range.upperBound {
            let xv = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let g = rdy.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            rdx.storeBytes(of: g.replacing(with: g * slope, where: xv .<= 0), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < range.upperBound { dx[i] = x[i] <= 0 ? slope * dy[i] : dy[i]; i += 1 }
    }
}
