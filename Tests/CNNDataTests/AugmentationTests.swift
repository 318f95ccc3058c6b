@testable import CNNData
import CNNEngine
import Testing

/// A channels-first image whose bytes are all different: pixel i holds (i * 37 + 11) % 256.
private func testImage(channels: Int = 3, height: Int = 5, width: Int = 7) -> [UInt8] {
    (0..<channels * height * width).map { UInt8(($0 * 37 + 11) % 256) }
}

@Suite("Augmentation")
struct AugmentationTests {
    @Test("a flip of a flip is the identity, and a zero shift changes nothing")
    func identities() {
        let image = testImage()
        let flip = ImageTransform(flipped: true)
        let once = flip.apply(to: image, channels: 3, height: 5, width: 7)
        #expect(once != image)
        #expect(flip.apply(to: once, channels: 3, height: 5, width: 7) == image)
        #expect(ImageTransform.identity.apply(to: image, channels: 3, height: 5, width: 7) == image)
        // Row 0 of channel 0 mirrored: output column 0 is input column 6.
        #expect(once[0] == image[6] && once[6] == image[0])
    }

    @Test("a shift moves pixels and fills with zeros")
    func shift() {
        let image = testImage(channels: 1, height: 3, width: 4)
        let shifted = ImageTransform(shiftY: 1, shiftX: -1).apply(to: image, channels: 1, height: 3, width: 4)
        // out[y][x] = in[y + 1][x - 1]: column 0 and row 2 come from outside.
        #expect(shifted == [0, image[4], image[5], image[6],
                            0, image[8], image[9], image[10],
                            0, 0, 0, 0])
    }

    @Test("the batch kernel matches the plain reference for every shift and flip")
    func kernelMatchesReference() {
        let (c, h, w) = (2, 4, 5)
        let image = testImage(channels: c, height: h, width: w)
        let scale: [Float] = [0.5, 2], offset: [Float] = [-1, 3]
        var output = [Float](repeating: .nan, count: image.count)
        for dy in -5...5 {
            for dx in -6...6 {
                for flipped in [false, true] {
                    let t = ImageTransform(shiftY: dy, shiftX: dx, flipped: flipped)
                    transformImage(output: &output, image: image, C: c, H: h, W: w, transform: t, scale: scale, offset: offset)
                    let reference = t.apply(to: image, channels: c, height: h, width: w)
                    let expected = reference.indices.map { Float(reference[$0]) * scale[$0 / (h * w)] + offset[$0 / (h * w)] }
                    #expect(output == expected, "shift (\(dy), \(dx)), flipped \(flipped)")
                }
            }
        }
    }

    @Test("random transforms are seeded, cover -p...p, and flip about half the images")
    func draws() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let augmentation = Augmentation.cifar10
        let first = (0..<2000).map { _ in augmentation.randomTransform(using: &a) }
        let again = (0..<2000).map { _ in augmentation.randomTransform(using: &b) }
        let other = (0..<2000).map { _ in augmentation.randomTransform(using: &c) }
        #expect(first == again)
        #expect(first != other)
        #expect(Set(first.map(\.shiftY)) == Set(-4...4))
        #expect(Set(first.map(\.shiftX)) == Set(-4...4))
        let flips = first.filter(\.flipped).count
        #expect(flips > 900 && flips < 1100)
        var g = SeededGenerator(seed: 1)
        #expect(Augmentation.none.randomTransform(using: &g) == .identity)
        #expect(g == SeededGenerator(seed: 1))
    }
}
