/// A (height, width) pair for kernel sizes, strides and dilations; an integer literal means both.
public struct Pair: Codable, Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }
    public init(integerLiteral value: Int) { self.init(value, value) }
    public var description: String { height == width ? "\(height)" : "\(height)x\(width)" }
}

/// Zero padding of a convolution or pooling window.
public enum Padding: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// No padding.
    case valid
    /// As much as keeps the output at ceil(input / stride), the extra cell at the bottom/right (TensorFlow's "same").
    case same
    /// The same padding on both sides: `height` rows top and bottom, `width` columns left and right.
    case symmetric(Pair)
    /// Padding per side.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)

    /// Symmetric padding `p` on every side.
    public static func uniform(_ p: Int) -> Padding { .symmetric(Pair(p, p)) }

    /// The padding per side (top, bottom, left, right) for an input of `height` x `width`.
    public func resolve(height: Int, width: Int, kernel: Pair, stride: Pair, dilation: Pair) -> (top: Int, bottom: Int, left: Int, right: Int) {
        switch self {
        case .valid: return (0, 0, 0, 0)
        case let .symmetric(p): return (p.height, p.height, p.width, p.width)
        case let .explicit(t, b, l, r): return (t, b, l, r)
        case .same:
            func total(_ n: Int, _ k: Int, _ s: Int, _ d: Int) -> Int {
                let out = (n + s - 1) / s
                return max(0, (out - 1) * s + d * (k - 1) + 1 - n)
            }
            let th = total(height, kernel.height, stride.height, dilation.height)
            let tw = total(width, kernel.width, stride.width, dilation.width)
            return (th / 2, th - th / 2, tw / 2, tw - tw / 2)
        }
    }

    public var description: String {
        switch self {
        case .valid: return "valid"
        case .same: return "same"
        case let .symmetric(p): return "\(p)"
        case let .explicit(t, b, l, r): return "(\(t),\(b),\(l),\(r))"
        }
    }

    var isNegative: Bool {
        switch self {
        case .valid, .same: return false
        case let .symmetric(p): return p.height < 0 || p.width < 0
        case let .explicit(t, b, l, r): return min(t, b, l, r) < 0
        }
    }
}
