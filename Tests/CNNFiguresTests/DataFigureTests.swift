import CNNData
import CNNEngine
import CNNFigures
import Foundation
import Testing
import _TestSupport

@Suite struct DataFigureTests {
    @Test func samplesTakeTheFirstImagesOfEachClass() throws {
        let images = try DEFTestSupport.dataset(count: 45, side: 8, classes: 10)
        let figure = SamplesFigure(dataset: images, datasetName: "synthetic", perClass: 4)
        #expect(figure.classNames.count == 10)
        // 45 images cycling through 10 classes: classes 0-4 have 5, the rest 4.
        #expect(figure.samples.map(\.count) == [Int](repeating: 4, count: 10))
        #expect(figure.samples[3][1] == Array(images.image(at: 13)))
        let folder = try temporaryFolder("CNNFiguresDEF")
        let png = folder.appendingPathComponent("f1.png").path
        try figure.write(to: png, size: .inches(5, 6), dpi: 60)
        #expect(pngSize(atPath: png).map { [$0.width, $0.height] } == [300, 360])
    }

    @Test func augmentationCaptionNamesOnlyTheTransformsDrawn() throws {
        let images = try DEFTestSupport.dataset(count: 3, side: 10, classes: 3)
        let shiftsOnly = AugmentationFigure(dataset: images, datasetName: "MNIST", index: 1,
                                            augmentation: Augmentation(cropPadding: 2, horizontalFlip: false), count: 6)
        #expect(!shiftsOnly.caption.contains("mirror") && shiftsOnly.caption.contains("moved by up to 2 pixels"))
        #expect(!shiftsOnly.transforms.contains { $0.flipped })
        // Each label says where the digit went, as drawn: a lone bright pixel at (5, 5) is found there after the transform.
        for (transform, label) in zip(shiftsOnly.transforms, shiftsOnly.captions) {
            var image = [UInt8](repeating: 0, count: 100)
            image[55] = 255
            let out = transform.apply(to: image, channels: 1, height: 10, width: 10)
            let at = try #require(out.firstIndex(of: 255))
            let (down, right) = (at / 10 - 5, at % 10 - 5)
            var words: [String] = []
            if right != 0 { words.append("\(right > 0 ? "→" : "←") \(abs(right))") }
            if down != 0 { words.append("\(down > 0 ? "↓" : "↑") \(abs(down))") }
            #expect(label == (words.isEmpty ? "not moved" : words.joined(separator: ", ")), "\(transform)")
        }
        let both = AugmentationFigure(dataset: images, datasetName: "CIFAR-10", index: 1,
                                      augmentation: Augmentation(cropPadding: 2, horizontalFlip: true), count: 6)
        #expect(both.caption.contains("mirror images"))
    }

    @Test func augmentationIsSeededAndUsesTheTrainingTransforms() throws {
        let images = try DEFTestSupport.dataset(count: 3, side: 10, classes: 3)
        let augmentation = Augmentation(cropPadding: 2, horizontalFlip: true)
        let figure = AugmentationFigure(dataset: images, datasetName: "synthetic", index: 1, augmentation: augmentation, count: 12, seed: 7)
        #expect(figure.transforms.count == 12 && figure.augmented.count == 12)
        #expect(figure.label == "class 1")
        #expect(figure.transforms.allSatisfy { abs($0.shiftX) <= 2 && abs($0.shiftY) <= 2 })
        #expect(figure.transforms.contains { $0.flipped } && figure.transforms.contains { !$0.flipped })
        var generator = SeededGenerator(seed: 7)
        let expected = (0..<12).map { _ in augmentation.randomTransform(using: &generator) }
        #expect(figure.transforms == expected)
        #expect(figure.augmented[4] == expected[4].apply(to: Array(images.image(at: 1)), channels: 1, height: 10, width: 10))
        #expect(figure.captions.count == 12)
        let again = AugmentationFigure(dataset: images, datasetName: "synthetic", index: 1, augmentation: augmentation, count: 12, seed: 7)
        #expect(again.augmented == figure.augmented)

        let folder = try temporaryFolder("CNNFiguresDEF")
        let pdf = folder.appendingPathComponent("aug.pdf").path
        try figure.write(to: pdf)
        #expect(isPDF(atPath: pdf))
    }
}
