// Rows of small images with captions: filter banks, feature maps, dataset samples.

/// How the images of a grid are normalised before colouring.
public enum ImageScaling: Sendable, Equatable {
    /// Each image from its own minimum to its own maximum.
    case perImage
    /// Each image over `-m...m` with m its own largest absolute value (zero is the map's centre).
    case symmetricPerImage
    /// All images over one shared min-max range, so they compare directly.
    case common
    /// All images over one shared symmetric range (zero is white on the diverging map).
    case symmetricCommon
    /// A given range for every image.
    case fixed(ValueRange)

    /// The range used for image `index` of `images`.
    public func range(for index: Int, of images: [[Float]]) -> ValueRange {
        switch self {
        case .perImage: return .minMax(of: images[index])
        case .symmetricPerImage: return .symmetric(of: images[index])
        case .common: return .common(images)
        case .symmetricCommon: return .symmetricCommon(images)
        case .fixed(let range): return range
        }
    }
}

extension Canvas {
    /// Draws images in a grid of `columns` columns inside `rect`, each with an optional caption, and returns the layout.
    /// - Parameters:
    ///   - images: Row-major images, each `imageWidth * imageHeight * channels` values
    ///     (channel planes one after another when `channels` is 3).
    ///   - channels: 1 draws through `colorMap`; 3 draws RGB from three planes.
    ///   - captions: One text per image, written under it at one shared, fitted size.
    ///   - gap: Space between images; nil picks one from the image size.
    ///   - border: Outline colour around each image (useful when the map's ends match the background).
    @discardableResult
    public func imageGrid(_ images: [[Float]], imageWidth: Int, imageHeight: Int, channels: Int = 1,
                          columns: Int, in rect: Rect, colorMap: ColorMap = .viridis,
                          scaling: ImageScaling = .perImage, captions: [String]? = nil,
                          gap: Double? = nil, border: RGBColor? = RGBColor(hex: 0x9A9A9A)) -> GridLayout {
        precondition(channels == 1 || channels == 3, "imageGrid: channels must be 1 or 3, got \(channels)")
        precondition(captions == nil || captions!.count == images.count,
                     "imageGrid: expected \(images.count) captions, got \(captions!.count)")
        let count = max(images.count, 1)
        let columns = max(1, min(columns, count))
        let rows = (count + columns - 1) / columns
        let captionFont = style.tickFont
        let captionHeight = captions == nil ? 0 : measure("Hg", font: captionFont).height + 2
        let spacing = gap ?? max(2, min(8, min(rect.width / Double(columns), rect.height / Double(rows)) * 0.06))
        let layout = GridLayout(rows: rows, columns: columns,
                                cellAspectRatio: Double(imageWidth) / Double(imageHeight), in: rect,
                                gap: spacing, captionHeight: captionHeight)

        let plane = imageWidth * imageHeight
        for (index, values) in images.enumerated() {
            precondition(values.count == plane * channels,
                         "imageGrid: image \(index) has \(values.count) values, expected "
                         + "\(imageWidth) x \(imageHeight) x \(channels) = \(plane * channels)")
            let cell = layout.cellRect(index: index)
            let range = scaling.range(for: index, of: images)
            if channels == 3 {
                rgbImage(red: Array(values[0..<plane]), green: Array(values[plane..<2 * plane]),
                         blue: Array(values[2 * plane..<3 * plane]), width: imageWidth, height: imageHeight,
                         in: cell, range: range, border: border)
            } else {
                image(values, width: imageWidth, height: imageHeight, in: cell, colorMap: colorMap,
                      range: range, border: border)
            }
        }
        if let captions {
            let box = Size(width: layout.cellSize.width + spacing * 0.8, height: captionHeight)
            let size = fittedFontSize(for: captions, in: box, font: captionFont)
            for (index, caption) in captions.enumerated() {
                let strip = layout.captionRect(row: index / columns, column: index % columns)
                text(caption, at: Point(x: strip.center.x, y: strip.minY + 1), font: captionFont.withSize(size),
                     horizontal: .center, vertical: .top)
            }
        }
        return layout
    }
}
