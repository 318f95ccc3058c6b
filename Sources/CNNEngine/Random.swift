// Seeded random numbers: xoshiro256** seeded through SplitMix64 (Blackman and Vigna).
// The state is four words, saved in model files so that a resumed run draws the same numbers.

/// A seeded random-number generator whose whole state can be saved and restored.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The generator's four state words.
    public var state: [UInt64]

    /// Creates a generator from a seed; the same seed always gives the same sequence.
    public init(seed: UInt64) {
        var s = seed
        state = (0..<4).map { _ in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Restores a generator from a saved state.
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "SeededGenerator: state must be 4 words, not all zero")
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform float in [0, 1).
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / Float(1 << 24)) }

    /// A standard normal float (Box–Muller, one of the pair).
    public mutating func nextNormal() -> Float {
        let u1 = Double(next() >> 11) * (1.0 / Double(UInt64(1) << 53))
        let u2 = Double(next() >> 11) * (1.0 / Double(UInt64(1) << 53))
        let r = (-2.0 * _log(max(u1, .leastNonzeroMagnitude))).squareRoot()
        return Float(r * _cos(2.0 * .pi * u2))
    }

    /// A uniform integer in `0..<upperBound`.
    public mutating func nextInt(below upperBound: Int) -> Int { Int(next(upperBound: UInt64(upperBound))) }
}

#if canImport(Glibc)
import Glibc
private func _log(_ x: Double) -> Double { Glibc.log(x) }
private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
private func _log(_ x: Double) -> Double { Darwin.log(x) }
private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
