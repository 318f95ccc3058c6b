// Small colour patches cut from photographs at seeded random places, contrast-normalised and
// ZCA-whitened: the data from which sparse coding learns oriented, colour-opponent filters
// (Olshausen and Field 1996; the whitening as in Coates, Lee and Ng 2011).
//
// A patch is channel-first, C x S x S values (D = C S² of them). Contrast normalisation:
// x ← (x - mean(x)) / sqrt(var(x) + ε_c), over the patch's own D values (bytes / 255, ε_c = 10 / 255²).
// ZCA whitening: with the patches' covariance Σ = U Λ Uᵀ, x ← U (Λ + ε I)^(-1/2) Uᵀ (x - μ).
import CNNEngine
import Foundation

/// Patches of photographs, D = channels x size x size values each, row after row.
public struct ImagePatches: Sendable, Equatable {
    /// Side of each square patch, in pixels.
    public let size: Int
    /// Channels of each patch (3: red, green, blue; grey photographs are repeated on all three).
    public let channels: Int
    /// Patches, `count` rows of `dimension` values, channel-first within a row.
    public private(set) var values: [Float]
    /// The photographs' file names (without folders), in the order they were read.
    public let sources: [String]

    /// Values per patch, C x S x S.
    public var dimension: Int { channels * size * size }
    /// Number of patches.
    public var count: Int { values.count / dimension }

    /// Cuts `count` patches of `size` x `size` from the PNGs at `paths`, as many from each (the first
    /// photographs take the remainder), at places drawn from `seed`; values are bytes / 255.
    /// - Throws: `ConfigurationError` for no photographs, a size below 2, or a photograph smaller than a
    ///   patch; `DataError` naming a file that cannot be read.
    public init(imagePaths paths: [String], size: Int, count: Int, channels: Int = 3, seed: UInt64) throws {
        guard !paths.isEmpty else { throw ConfigurationError("patches need at least one photograph") }
        guard size >= 2 else { throw ConfigurationError("patch size must be at least 2 pixels, got \(size)") }
        guard count >= 1 else { throw ConfigurationError("patch count must be at least 1, got \(count)") }
        guard channels == 1 || channels == 3 else { throw ConfigurationError("patches have 1 or 3 channels, got \(channels)") }
        self.size = size; self.channels = channels
        sources = paths.map { ($0 as NSString).lastPathComponent }
        let d = channels * size * size
        var values = [Float](repeating: 0, count: count * d)
        var generator = SeededGenerator(seed: seed)
        var row = 0
        for (i, path) in paths.enumerated() {
            let image = try PNGImage(contentsOf: path)
            guard image.width >= size, image.height >= size else {
                throw ConfigurationError("\(path) is \(image.width)x\(image.height) pixels, smaller than a \(size)x\(size) patch")
            }
            let pixels = image.pixels(channels: channels), plane = image.width * image.height
            let share = count / paths.count + (i < count % paths.count ? 1 : 0)
            for _ in 0..<share {
                let top = generator.nextInt(below: image.height - size + 1), left = generator.nextInt(below: image.width - size + 1)
                var k = row * d
                for c in 0..<channels {
                    for y in 0..<size {
                        for x in 0..<size {
                            values[k] = Float(pixels[c * plane + (top + y) * image.width + left + x]) / 255
                            k += 1
                        }
                    }
                }
                row += 1
            }
        }
        self.values = values
    }

    /// Patch `i`'s values.
    public func patch(_ i: Int) -> ArraySlice<Float> { values[(i * dimension)..<((i + 1) * dimension)] }

    /// Brightness and contrast removed from every patch: x ← (x - mean) / sqrt(var + `epsilon`).
    public mutating func normalizeContrast(epsilon: Float = 10.0 / (255 * 255)) {
        let d = dimension
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<(v.count / d) {
                let p = v.baseAddress! + i * d
                var mean = 0.0
                for k in 0..<d { mean += Double(p[k]) }
                mean /= Double(d)
                var variance = 0.0
                for k in 0..<d { let e = Double(p[k]) - mean; variance += e * e }
                variance /= Double(d)
                let scale = 1 / (variance + Double(epsilon)).squareRoot()
                for k in 0..<d { p[k] = Float((Double(p[k]) - mean) * scale) }
            }
        }
    }

    /// Every patch multiplied by `whitening` (after subtracting its mean).
    public mutating func whiten(_ whitening: ZCAWhitening) {
        precondition(whitening.dimension == dimension, "ImagePatches.whiten: \(whitening.dimension)-value whitening for \(dimension)-value patches")
        values = whitening.apply(to: values)
    }
}

/// ZCA whitening: W = U (Λ + ε I)^(-1/2) Uᵀ from the covariance Σ = U Λ Uᵀ of a set of vectors, so that
/// whitened vectors have (nearly) identity covariance and stay as close as possible to the originals.
public struct ZCAWhitening: Sendable, Equatable {
    /// Values per vector, D.
    public let dimension: Int
    /// The mean subtracted first, D values.
    public let mean: [Float]
    /// The D x D symmetric whitening matrix, row-major.
    public let matrix: [Float]
    /// The covariance's eigenvalues, largest first.
    public let eigenvalues: [Double]

    /// Whitening for the `dimension`-value rows of `values`, regularised by `epsilon`.
    public init(values: [Float], dimension d: Int, epsilon: Double) {
        precondition(d >= 1 && values.count % d == 0 && values.count >= d, "ZCAWhitening: \(values.count) values are not rows of \(d)")
        let n = values.count / d
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { mean[k] += Double(values[i * d + k]) } }
        for k in 0..<d { mean[k] /= Double(n) }
        // Σ = Xᵀ X / n - μ μᵀ, the product through the engine's GEMM.
        var product = [Float](repeating: 0, count: d * d)
        values.withUnsafeBufferPointer { x in
            product.withUnsafeMutableBufferPointer { c in
                gemm(c: c.baseAddress!, ldc: d, a: x.baseAddress!, lda: d, transposeA: true, b: x.baseAddress!, ldb: d, transposeB: false,
                     m: d, n: d, k: n, alpha: 1 / Float(n))
            }
        }
        var covariance = [Double](repeating: 0, count: d * d)
        for r in 0..<d { for c in 0..<d { covariance[r * d + c] = Double(product[r * d + c]) - mean[r] * mean[c] } }
        // Symmetrise: the float product is symmetric only to rounding.
        for r in 0..<d { for c in (r + 1)..<max(d, r + 1) { let s = (covariance[r * d + c] + covariance[c * d + r]) / 2; covariance[r * d + c] = s; covariance[c * d + r] = s } }
        let (lambda, vectors) = symmetricEigen(covariance, dimension: d)
        var matrix = [Float](repeating: 0, count: d * d)
        for r in 0..<d {
            for c in 0..<d {
                var sum = 0.0
                for k in 0..<d { sum += vectors[r * d + k] * vectors[c * d + k] / (max(lambda[k], 0) + epsilon).squareRoot() }
                matrix[r * d + c] = Float(sum)
            }
        }
        let order = lambda.sorted(by: >)
        self.dimension = d; self.mean = mean.map(Float.init); self.matrix = matrix; self.eigenvalues = order
    }

    /// The rows of `values` whitened: W (x - μ).
    public func apply(to values: [Float]) -> [Float] {
        let d = dimension, n = values.count / d
        var centred = values
        for i in 0..<n { for k in 0..<d { centred[i * d + k] -= mean[k] } }
        var out = [Float](repeating: 0, count: values.count)
        centred.withUnsafeBufferPointer { x in
            matrix.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { y in
                    // Y = X Wᵀ (W is symmetric).
                    gemm(c: y.baseAddress!, ldc: d, a: x.baseAddress!, lda: d, transposeA: false, b: w.baseAddress!, ldb: d, transposeB: true,
                         m: n, n: d, k: d)
                }
            }
        }
        return out
    }
}

/// Eigenvalues and eigenvectors of a symmetric d x d matrix (row-major) by cyclic Jacobi rotations.
/// - Returns: the eigenvalues and a matrix whose column k is the eigenvector of eigenvalue k.
func symmetricEigen(_ matrix: [Double], dimension d: Int) -> (values: [Double], vectors: [Double]) {
    var a = matrix
    var v = [Double](repeating: 0, count: d * d)
    for i in 0..<d { v[i * d + i] = 1 }
    for _ in 0..<60 {
        var off = 0.0, total = 0.0
        for r in 0..<d { for c in 0..<d { let x = a[r * d + c] * a[r * d + c]; total += x; if r != c { off += x } } }
        if off <= 1e-22 * max(total, 1e-300) { break }
        for p in 0..<d {
            for q in (p + 1)..<max(d, p + 1) {
                let apq = a[p * d + q]
                if abs(apq) < 1e-300 { continue }
                let theta = (a[q * d + q] - a[p * d + p]) / (2 * apq)
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<d {
                    let akp = a[k * d + p], akq = a[k * d + q]
                    a[k * d + p] = c * akp - s * akq
                    a[k * d + q] = s * akp + c * akq
                }
                for k in 0..<d {
                    let apk = a[p * d + k], aqk = a[q * d + k]
                    a[p * d + k] = c * apk - s * aqk
                    a[q * d + k] = s * apk + c * aqk
                }
                for k in 0..<d {
                    let vkp = v[k * d + p], vkq = v[k * d + q]
                    v[k * d + p] = c * vkp - s * vkq
                    v[k * d + q] = s * vkp + c * vkq
                }
            }
        }
    }
    return ((0..<d).map { a[$0 * d + $0] }, v)
}
