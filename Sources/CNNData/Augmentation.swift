// Seeded data augmentation: random crop with zero padding (pad p, crop back to the same size)
// and horizontal flip, as for CIFAR-10 in He et al. 2016 (pad 4, crop 32x32, flip half the images).
//
// One draw is an `ImageTransform`: out[c, y, x] = in[c, y + shiftY, x' + shiftX] with x' = W-1-x when
// flipped, else x; pixels from outside the image are 0 (black, as torchvision pads before normalising).
// A crop whose window starts at (i, j) in the padded image is a shift of (i - p, j - p).

import CNNEngine

/// The random transforms applied to each training image, drawn from a seeded generator.
public struct Augmentation: Sendable, Equatable, Codable {
    /// The zero padding before a random crop back to the original size; 0 turns cropping off.
    public var cropPadding: Int
    /// Whether to mirror half the images left to right.
    public var horizontalFlip: Bool

    /// Creates an augmentation; the defaults change nothing.
    public init(cropPadding: Int = 0, horizontalFlip: Bool = false) {
        precondition(cropPadding >= 0, "Augmentation: crop padding must not be negative, got \(cropPadding)")
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
    }

    /// No augmentation.
    public static let none = Augmentation()

    /// CIFAR-10's standard augmentation: pad 4, random 32x32 crop, random horizontal flip.
    public static let cifar10 = Augmentation(cropPadding: 4, horizontalFlip: true)

    /// Whether this augmentation changes anything.
    public var isIdentity: Bool { cropPadding == 0 && !horizontalFlip }

    /// Draws one transform: shifts uniform in -p...p (row first, then column), then a fair coin for the flip.
    public func randomTransform(using generator: inout SeededGenerator) -> ImageTransform {
        var transform = ImageTransform.identity
        if cropPadding > 0 {
            transform.shiftY = generator.nextInt(below: 2 * cropPadding + 1) - cropPadding
            transform.shiftX = generator.nextInt(below: 2 * cropPadding + 1) - cropPadding
        }
        if horizontalFlip { transform.flipped = generator.next() >> 63 == 1 }
        return transform
    }
}

/// One drawn transform of an image: a shift with zero fill, then an optional left-right mirror.
public struct ImageTransform: Sendable, Equatable, Codable {
    /// Rows to shift by: output row y takes input row y + shiftY.
    public var shiftY: Int
    /// Columns to shift by: output column x takes input column x + shiftX (before the mirror).
    public var shiftX: Int
    /// Whether the shifted image is mirrored left to right.
    public var flipped: Bool

    /// Creates a transform.
    public init(shiftY: Int = 0, shiftX: Int = 0, flipped: Bool = false) {
        self.shiftY = shiftY
        self.shiftX = shiftX
        self.flipped = flipped
    }

    /// The transform that changes nothing.
    public static let identity = ImageTransform()

    /// The transformed bytes of one channels-first image [C, H, W]: the slow, plain reference for the batch kernel.
    public func apply(to image: [UInt8], channels: Int, height: Int, width: Int) -> [UInt8] {
        precondition(image.count == channels * height * width, "ImageTransform: image of \(image.count) bytes is not \(channels)x\(height)x\(width)")
        var out = [UInt8](repeating: 0, count: image.count)
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width {
                    let sy = y + shiftY, sx = (flipped ? width - 1 - x : x) + shiftX
                    if sy >= 0 && sy < height && sx >= 0 && sx < width {
                        out[(c * height + y) * width + x] = image[(c * height + sy) * width + sx]
                    }
                }
            }
        }
        return out
    }
}

/// Writes one image as floats, transformed and normalised: out[c, y, x] = in[c, sy, sx] * scale[c] + offset[c],
/// with (sy, sx) as `ImageTransform` defines them and offset[c] (a byte of 0) where they fall outside.
///
/// Shape letters: C channels, H height, W width; `output` and `image` both hold C x H x W values.
func transformImage(output: UnsafeMutablePointer<Float>, image: UnsafePointer<UInt8>,
                    C: Int, H: Int, W: Int, transform t: ImageTransform,
                    scale: UnsafePointer<Float>, offset: UnsafePointer<Float>) {
    // Output columns whose source column lies inside the image.
    let x0 = t.flipped ? max(0, t.shiftX) : max(0, -t.shiftX)
    let x1 = t.flipped ? min(W, W + t.shiftX) : min(W, W - t.shiftX)
    for c in 0..<C {
        let s = scale[c], o = offset[c]
        for y in 0..<H {
            let out = output + (c * H + y) * W
            let sy = y + t.shiftY
            if sy < 0 || sy >= H || x0 >= x1 {
                out.update(repeating: o, count: W)
                continue
            }
            let row = image + (c * H + sy) * W
            for x in 0..<x0 { out[x] = o }
            if t.flipped {
                let last = W - 1 + t.shiftX
                for x in x0..<x1 { out[x] = Float(row[last - x]) * s + o }
            } else {
                let first = row + t.shiftX
                for x in x0..<x1 { out[x] = Float(first[x]) * s + o }
            }
            for x in x1..<W { out[x] = o }
        }
    }
}
