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

/// Σ (p[i] - mean)², in a fixed order.
@inline(__always)
public func vectorSquaredDeviation(_ p: UnsafePointer<Float>, _ count: Int, mean: Float) -> Float {
    var acc = SIMD8<Float>()
    let m = SIMD8<Float>(repeating: mean)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= count {
        let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - m
        acc += d * d
        i += 8
    }
    var tail: Float = 0
    while i < count { let d = p[i] - mean; tail += d * d; i += 1 }
    return acc.sum() + tail
}

/// y[i] = a · x[i] + b over `count` floats (x and y may be the same).
@inline(__always)
public func vectorAffine(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, scale a: Float, shift b: Float) {
    let va = SIMD8<Float>(repeating: a), vb = SIMD8<Float>(repeating: b)
    var i = 0
    let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
    while i + 8 <= count {
        ry.storeBytes(of: rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * va + vb, toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { y[i] = a * x[i] + b; i += 1 }
}

/// y[i] += x[i] over `count` floats.
@inline(__always)
public func vectorAccumulate(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int) {
    var i = 0
    let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
    while i + 8 <= count {
        let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) + rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { y[i] += x[i]; i += 1 }
}

/// y[i] = a · x[i] + b, or max(0, a · x[i] + b) with `relu` (NaN stays NaN, as in PyTorch), over `count` floats.
@inline(__always)
public func vectorAffine(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, scale a: Float, shift b: Float,
                         relu: Bool) {
    guard relu else { return vectorAffine(y, x, count, scale: a, shift: b) }
    let va = SIMD8<Float>(repeating: a), vb = SIMD8<Float>(repeating: b), zero = SIMD8<Float>()
    var i = 0
    let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
    while i + 8 <= count {
        var v = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * va + vb
        v.replace(with: zero, where: v .<= zero)
        ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { let v = a * x[i] + b; y[i] = v <= 0 ? 0 : v; i += 1 }
}

/// y[i] = max(0, a[i] + b[i]) (NaN stays NaN) over `count` floats.
@inline(__always)
public func vectorAddRectified(_ y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) {
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), ry = UnsafeMutableRawPointer(y), zero = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        var v = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) + rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        v.replace(with: zero, where: v .<= zero)
        ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { let v = a[i] + b[i]; y[i] = v <= 0 ? 0 : v; i += 1 }
}

/// y[i] = a[i] + b[i] over `count` floats.
@inline(__always)
public func vectorSum(_ y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) {
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), ry = UnsafeMutableRawPointer(y)
    var i = 0
    while i + 8 <= count {
        let v = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) + rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { y[i] = a[i] + b[i]; i += 1 }
}

/// p[i] = max(0, p[i]) (NaN stays NaN) over `count` floats, in place: the ReLU a convolution applies to
/// its own output while it is in cache.
@inline(__always)
public func vectorRectify(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
    let raw = UnsafeMutableRawPointer(p), zero = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        var v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        v.replace(with: zero, where: v .<= zero)
        raw.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { p[i] = p[i] <= 0 ? 0 : p[i]; i += 1 }
}

/// dx[i] = y[i] <= 0 ? 0 : dy[i] over `count` floats: the ReLU's derivative read on its output y, whose
/// sign is its input's (and NaN passes dy, as the ReLU layer does).
@inline(__always)
public func vectorRectifiedGradient(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                    _ count: Int) {
    let rdy = UnsafeRawPointer(dy), ry = UnsafeRawPointer(y), rdx = UnsafeMutableRawPointer(dx), zero = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        let g = rdy.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        rdx.storeBytes(of: g.replacing(with: zero, where: v .<= zero), toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { dx[i] = y[i] <= 0 ? 0 : dy[i]; i += 1 }
}
