// Small vector kernels with a fixed summation order (eight running sums, then a fixed tree),
// so that a sum does not depend on which thread computes it.

/// The sum of `count` floats from `p`, in a fixed order.
@inline(__always)
public func vectorSum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= count {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var tail: Float = 0
    while i < count { tail += p[i]; i += 1 }
    return acc.sum() + tail
}

/// The dot product of `count` floats from `a` and `b`, in a fixed order.
@inline(__always)
public func vectorDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= count {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var tail: Float = 0
    while i < count { tail += a[i] * b[i]; i += 1 }
    return acc.sum() + tail
}

/// Adds `value` to `count` floats at `p`.
@inline(__always)
public func vectorAdd(_ p: UnsafeMutablePointer<Float>, _ count: Int, scalar value: Float) {
    for i in 0..<count { p[i] += value }
}
