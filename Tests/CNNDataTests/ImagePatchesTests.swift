import CNNData
import CNNEngine
import Foundation
import Testing
import _TestSupport

@Suite("Photograph patches and ZCA whitening")
struct ImagePatchesTests {
    /// Two small seeded colour PNGs, written once per test.
    func photographs() throws -> [String] {
        let dir = try temporaryFolder("ImagePatchesTests")
        var generator = SeededGenerator(seed: 5)
        return try (0..<2).map { i in
            let (w, h) = (40 + 8 * i, 32)
            // Smooth colour gradients plus noise, so the patches have structure and full-rank covariance.
            var rgb: [UInt8] = []
            for y in 0..<h {
                for x in 0..<w {
                    for c in 0..<3 {
                        let v = 128 + 60 * sin(Double(x * (c + 1) + y * (2 - c)) / 5) + Double(generator.nextUniform() * 40 - 20)
                        rgb.append(UInt8(max(0, min(255, v))))
                    }
                }
            }
            let path = dir.appendingPathComponent("photo\(i).png").path
            try PNGImage(width: w, height: h, rgb: rgb).write(to: path)
            return path
        }
    }

    @Test("the same seed cuts the same patches; another seed others; values are bytes / 255, channel-first")
    func deterministic() throws {
        let paths = try photographs()
        let a = try ImagePatches(imagePaths: paths, size: 4, count: 101, seed: 7)
        let b = try ImagePatches(imagePaths: paths, size: 4, count: 101, seed: 7)
        let c = try ImagePatches(imagePaths: paths, size: 4, count: 101, seed: 8)
        #expect(a == b)
        #expect(a.values != c.values)
        #expect(a.count == 101 && a.dimension == 48 && a.sources == ["photo0.png", "photo1.png"])
        #expect(a.values.allSatisfy { $0 >= 0 && $0 <= 1 })
        // Every patch is a window of its photograph: find patch 0 (from photo0) somewhere in it.
        let image = try PNGImage(contentsOf: paths[0])
        let pixels = image.pixels(channels: 3), plane = image.width * image.height
        let patch = Array(a.patch(0))
        let found = (0...(image.height - 4)).contains { top in
            (0...(image.width - 4)).contains { left in
                (0..<48).allSatisfy { k in
                    let ch = k / 16, y = (k % 16) / 4, x = k % 4
                    return Float(pixels[ch * plane + (top + y) * image.width + left + x]) / 255 == patch[k]
                }
            }
        }
        #expect(found)
        #expect(throws: ConfigurationError.self) { try ImagePatches(imagePaths: paths, size: 64, count: 10, seed: 0) }
    }

    @Test("contrast normalisation gives each patch mean 0 and variance near 1")
    func contrast() throws {
        var patches = try ImagePatches(imagePaths: try photographs(), size: 3, count: 300, seed: 1)
        patches.normalizeContrast(epsilon: 1e-6)
        let d = patches.dimension
        for i in [0, 17, 299] {
            let p = Array(patches.patch(i)), mean = p.reduce(0, +) / Float(d)
            let variance = p.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(d)
            #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-3)
        }
    }

    @Test("ZCA whitening: a symmetric matrix, eigenvalues largest first, and whitened patches of identity covariance")
    func whitening() throws {
        var patches = try ImagePatches(imagePaths: try photographs(), size: 3, count: 3000, seed: 1)
        let d = patches.dimension
        let zca = ZCAWhitening(values: patches.values, dimension: d, epsilon: 1e-8)
        #expect(zca.eigenvalues.count == d && zca.eigenvalues == zca.eigenvalues.sorted(by: >))
        #expect(zca.eigenvalues.last! > 1e-4)
        for r in 0..<d { for c in 0..<d { #expect(abs(zca.matrix[r * d + c] - zca.matrix[c * d + r]) < 1e-3 * abs(zca.matrix[r * d + r])) } }
        patches.whiten(zca)
        let n = patches.count
        var worst = 0.0
        for r in 0..<d {
            for c in 0..<d {
                var sum = 0.0
                for i in 0..<n { sum += Double(patches.values[i * d + r]) * Double(patches.values[i * d + c]) }
                worst = max(worst, abs(sum / Double(n) - (r == c ? 1 : 0)))
            }
        }
        #expect(worst < 0.01)
    }
}
