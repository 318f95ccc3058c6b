// Drawing arrays of numbers as images with crisp, unsmoothed pixels.

import CCairo
import Foundation

extension Canvas {
    /// Draws a row-major `width` x `height` array into `rect` through a colour map, one crisp block per value.
    /// - Parameters:
    ///   - range: The values mapped to the ends of the map; nil uses the image's own min-max.
    ///   - border: Colour of a thin outline around the image, or nil for none.
    public func image(_ values: [Float], width: Int, height: Int, in rect: Rect,
                      colorMap: ColorMap = .viridis, range: ValueRange? = nil, border: RGBColor? = nil) {
        precondition(values.count == width * height,
                     "image: expected \(width) x \(height) = \(width * height) values, got \(values.count)")
        let range = range ?? .minMax(of: values)
        drawPixels(width: width, height: height, in: rect, border: border) { index in
            colorMap.color(at: range.normalized(Double(values[index])))
        }
    }

    /// Draws an RGB image from three row-major planes, each normalised with the same range.
    /// - Parameter range: The values mapped to 0 and full intensity; nil uses the min-max over all three planes.
    public func rgbImage(red: [Float], green: [Float], blue: [Float], width: Int, height: Int, in rect: Rect,
                         range: ValueRange? = nil, border: RGBColor? = nil) {
        let count = width * height
        precondition(red.count == count && green.count == count && blue.count == count,
                     "rgbImage: expected three planes of \(width) x \(height) = \(count) values, "
                     + "got \(red.count), \(green.count), \(blue.count)")
        let range = range ?? .common([red, green, blue])
        drawPixels(width: width, height: height, in: rect, border: border) { index in
            RGBColor(red: range.normalized(Double(red[index])),
                     green: range.normalized(Double(green[index])),
                     blue: range.normalized(Double(blue[index])))
        }
    }

    /// Paints pixels given by `color(index)` into `rect` with nearest-neighbour scaling.
    func drawPixels(width: Int, height: Int, in rect: Rect, border: RGBColor?, color: (Int) -> RGBColor) {
        guard width > 0, height > 0 else { return }
        guard let image = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)) else { return }
        defer { cairo_surface_destroy(image) }
        cairo_surface_flush(image)
        let stride = Int(cairo_image_surface_get_stride(image))
        guard let data = cairo_image_surface_get_data(image) else { return }
        for y in 0..<height {
            let row = UnsafeMutableRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width {
                let c = color(y * width + x)
                // ARGB32 is premultiplied and stored as a native-endian 32-bit word.
                let a = min(max(c.alpha, 0), 1)
                func byte(_ v: Double) -> UInt32 { UInt32((min(max(v, 0), 1) * a * 255).rounded()) }
                row[x] = UInt32((a * 255).rounded()) << 24 | byte(c.red) << 16 | byte(c.green) << 8 | byte(c.blue)
            }
        }
        cairo_surface_mark_dirty(image)
        withSavedState {
            cairo_translate(context, rect.x, rect.y)
            cairo_scale(context, rect.width / Double(width), rect.height / Double(height))
            cairo_set_source_surface(context, image, 0, 0)
            let pattern = cairo_get_source(context)
            cairo_pattern_set_filter(pattern, CAIRO_FILTER_NEAREST)
            cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
            cairo_rectangle(context, 0, 0, Double(width), Double(height))
            cairo_fill(context)
        }
        if let border {
            box(rect, stroke: border, lineWidth: 0.6)
        }
    }
}
