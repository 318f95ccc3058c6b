// Seeded corruption of files for fuzz tests: truncations, flipped bytes, huge header values,
// duplicated and dropped runs. The same seed always gives the same cases, so a failure names
// a case that can be replayed.
import CNNEngine
import Foundation

/// One corrupted variant of a file, with what was done to it for failure messages.
public struct FuzzCase: Sendable {
    public var bytes: [UInt8]
    public var what: String
    public init(bytes: [UInt8], what: String) { self.bytes = bytes; self.what = what }
}

/// Corrupted variants of `original`: `count` cases from `seed`, and every one of them within `headerBytes`
/// bias towards the header, where a reader decides how much to allocate.
/// - Parameters:
///   - original: A valid file.
///   - count: How many cases.
///   - seed: The generator's seed.
///   - headerBytes: The leading bytes where sizes live; huge values and flips go there half the time.
public func fuzzCases(of original: [UInt8], count: Int, seed: UInt64, headerBytes: Int = 32) -> [FuzzCase] {
    var g = SeededGenerator(seed: seed)
    func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(g.next() % UInt64(n)) }
    func offset() -> Int { below(2) == 0 ? below(min(headerBytes, original.count)) : below(original.count) }
    return (0..<count).map { i in
        var bytes = original
        var what: String
        switch i % 6 {
        case 0:
            let length = below(2) == 0 ? below(min(headerBytes * 2, original.count)) : below(original.count)
            bytes = Array(bytes.prefix(length))
            what = "truncated to \(length) bytes"
        case 1:
            let flips = 1 + below(4)
            var places: [Int] = []
            for _ in 0..<flips where !bytes.isEmpty {
                let at = offset()
                bytes[at] ^= UInt8(truncatingIfNeeded: 1 + below(255))
                places.append(at)
            }
            what = "bytes flipped at \(places)"
        case 2:
            // A size field set to something huge: four bytes of 0xFF or 0x7F.
            let at = max(0, min(offset(), bytes.count - 4))
            let value: UInt8 = below(2) == 0 ? 0xFF : 0x7F
            for k in at..<min(at + 4, bytes.count) { bytes[k] = k == at ? value : 0xFF }
            what = "huge value at \(at)"
        case 3:
            let at = below(bytes.count), length = 1 + below(64)
            bytes.removeSubrange(at..<min(at + length, bytes.count))
            what = "\(length) bytes dropped at \(at)"
        case 4:
            let at = below(bytes.count), length = 1 + below(64)
            bytes.insert(contentsOf: bytes[at..<min(at + length, bytes.count)], at: at)
            what = "\(length) bytes duplicated at \(at)"
        default:
            let at = offset(), length = 1 + below(16)
            for k in at..<min(at + length, bytes.count) { bytes[k] = UInt8(truncatingIfNeeded: g.next()) }
            what = "\(length) random bytes at \(at)"
        }
        return FuzzCase(bytes: bytes, what: what)
    }
}

/// Runs `body` on each case until `seconds` have passed, so a slow machine runs fewer cases, never longer.
///
/// With `FUZZ_TRACE` set in the environment, each case is named on standard error before it runs,
/// so the last line before a crash names the case to replay.
/// - Returns: The number of cases run.
@discardableResult
public func forEachFuzzCase(_ cases: [FuzzCase], seconds: Double, _ body: (FuzzCase) throws -> Void) rethrows -> Int {
    let start = Date()
    let trace = ProcessInfo.processInfo.environment["FUZZ_TRACE"] != nil
    var done = 0
    for c in cases {
        if Date().timeIntervalSince(start) > seconds { break }
        if trace { FileHandle.standardError.write(Data("fuzz case: \(c.what)\n".utf8)) }
        try body(c)
        done += 1
    }
    return done
}
