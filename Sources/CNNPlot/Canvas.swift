// One drawing surface over PNG, PDF and SVG files, measured in points.

import CCairo
import Foundation

/// Collects the bytes Cairo streams out, so the file can be written atomically at the end.
private final class ByteSink {
    var bytes: [UInt8] = []

    /// The C callback Cairo calls with each chunk of the encoded file.
    static let write: cairo_write_func_t = { closure, data, length in
        guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
        let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
        return CAIRO_STATUS_SUCCESS
    }
}

/// A page to draw on that becomes a PNG, PDF or SVG file, chosen by the file's extension.
///
/// Coordinates are points (1/72 inch) from the top-left corner for every format;
/// a PNG has `size * dpi / 72` pixels. Nothing reaches the disk until `finish()`,
/// which writes the whole file under a temporary name and renames it into place.
public final class Canvas {
    /// The file this canvas will write.
    public let path: String
    /// The format chosen from the file's extension.
    public let format: OutputFormat
    /// The page size in points (a PDF's pages may differ: see `newPage(size:)`).
    public private(set) var size: Size
    /// Pixels per inch for PNG output (ignored by the vector formats).
    public let dpi: Double
    /// The look used by every drawer that receives this canvas.
    public var style: Style
    /// Pages begun so far (1 until `newPage()` is called).
    public private(set) var pageCount = 1

    /// One piece of text as placed on the page: what it says, its font size in points and the
    /// page-space rectangle around its ink box (the axis-aligned bounds when rotated).
    public struct TextBox: Sendable, Equatable {
        public var text: String
        public var fontSize: Double
        public var rect: Rect
        public var page: Int
    }

    /// Every text drawn so far, so that a test can check a figure's layout: inside the page, no
    /// two overlapping, large enough to read.
    public internal(set) var textBoxes: [TextBox] = []

    /// The Cairo drawing context (`cairo_t *`); internal, so callers draw only through this layer.
    let context: OpaquePointer
    private let surface: OpaquePointer
    private let sink = ByteSink()
    private var finished = false

    /// The page as a rectangle at the origin.
    public var bounds: Rect { Rect(x: 0, y: 0, width: size.width, height: size.height) }

    /// The pixel size of the PNG this canvas writes, or nil for vector formats.
    public var pixelSize: (width: Int, height: Int)? {
        format == .png ? Canvas.pixels(size, dpi: dpi) : nil
    }

    /// Creates a blank page for `path`, whose extension (.png, .pdf, .svg) picks the format.
    /// - Parameters:
    ///   - path: The file to write when `finish()` is called.
    ///   - size: Page size in points (`Size.inches(6, 4)` for a 6 x 4 in figure).
    ///   - dpi: Resolution of PNG output; a 6 x 4 in figure at 150 dpi is 900 x 600 pixels.
    ///   - style: The look used by the drawers.
    /// - Throws: `PlotError` naming the file for an unknown extension, a missing or
    ///   read-only directory, a non-positive size, or a Cairo failure.
    public init(path: String, size: Size, dpi: Double = 150, style: Style = .standard) throws {
        self.path = path
        self.format = try OutputFormat(path: path)
        self.size = size
        self.dpi = dpi
        self.style = style
        guard size.width > 0, size.height > 0, dpi > 0,
              size.width.isFinite, size.height.isFinite, dpi.isFinite
        else { throw PlotError.invalidSize(path: path, width: size.width, height: size.height, dpi: dpi) }
        try checkWritableDirectory(for: path)

        let closure = Unmanaged.passUnretained(sink).toOpaque()
        let created: OpaquePointer?
        switch format {
        case .png:
            let pixels = Canvas.pixels(size, dpi: dpi)
            created = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(pixels.width), Int32(pixels.height))
        case .pdf:
            created = cairo_pdf_surface_create_for_stream(ByteSink.write, closure, size.width, size.height)
        case .svg:
            created = cairo_svg_surface_create_for_stream(ByteSink.write, closure, size.width, size.height)
        }
        guard let created else { throw PlotError.cairo(path: path, status: "no surface") }
        let status = cairo_surface_status(created)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(created)
            throw PlotError.cairo(path: path, status: String(cString: cairo_status_to_string(status)))
        }
        surface = created
        context = cairo_create(created)
        if format == .pdf {
            cairo_pdf_surface_set_metadata(created, CAIRO_PDF_METADATA_CREATOR, "CNNBench")
        }
        if format == .png {
            let pixels = Canvas.pixels(size, dpi: dpi)
            cairo_scale(context, Double(pixels.width) / size.width, Double(pixels.height) / size.height)
        }
        configureFonts()
        paintBackground()
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Draws on a new canvas and writes the file, in one call.
    /// - Throws: `PlotError` naming the file, or whatever `draw` throws (then nothing is written).
    public static func write(to path: String, size: Size, dpi: Double = 150, style: Style = .standard,
                             _ draw: (Canvas) throws -> Void) throws {
        let canvas = try Canvas(path: path, size: size, dpi: dpi, style: style)
        try draw(canvas)
        try canvas.finish()
    }

    /// The slide rule: text at least this many pixels tall when the page is shown `slideWidthPixels` wide.
    public static let slideTextPixels = 18.0
    public static let slideWidthPixels = 1500.0

    /// The smallest font size, in points, that keeps the slide rule on this page (18 px at 1500 px wide).
    public var smallestLegibleFontSize: Double { Canvas.smallestLegibleFontSize(pageWidth: size.width) }

    /// The smallest font size, in points, that keeps the slide rule on a page `pageWidth` points wide
    /// (for a page not begun yet, such as a report's next figure page).
    public static func smallestLegibleFontSize(pageWidth: Double) -> Double { slideTextPixels / slideWidthPixels * pageWidth }

    /// What a slide would get wrong in the text drawn so far: text outside the page, two texts
    /// overlapping, text smaller than `minimumPixels` pixels when the page is shown `slideWidth` pixels
    /// wide (18 px at 1500 px: legible on a projector). One sentence per problem.
    /// How far every text keeps from the page's edges (points).
    public static let safeMargin = 4.0

    public func layoutProblems(minimumPixels: Double = Canvas.slideTextPixels, slideWidth: Double = Canvas.slideWidthPixels) -> [String] {
        var problems: [String] = []
        let page = bounds.insetBy(dx: -0.5, dy: -0.5)
        // A safe margin: a projector or a PDF viewer may crop the page's edge.
        let safe = bounds.insetBy(dx: Canvas.safeMargin - 0.5, dy: Canvas.safeMargin - 0.5)
        let smallest = minimumPixels / slideWidth * size.width
        func quoted(_ text: String) -> String {
            let line = text.replacingOccurrences(of: "\n", with: " ")
            return "\"" + (line.count > 40 ? line.prefix(37) + "..." : line) + "\""
        }
        for box in textBoxes {
            if !page.contains(box.rect) {
                problems.append("\(quoted(box.text)) runs off the page")
            } else if !safe.contains(box.rect) {
                problems.append("\(quoted(box.text)) is within \(Int(Canvas.safeMargin)) pt of the page's edge")
            }
            if box.fontSize < smallest * 0.98 {
                problems.append("\(quoted(box.text)) is \(String(format: "%.1f", box.fontSize)) pt, below \(String(format: "%.1f", smallest)) pt "
                                + "(\(Int(minimumPixels)) px at \(Int(slideWidth)) px wide)")
            }
        }
        // Overlap of the boxes' cores (the font's ascent and descent leave room above and below the ink).
        let cores = textBoxes.map { box -> Rect in
            let trim = box.rect.height > box.rect.width ? 0 : box.rect.height * 0.18
            return Rect(x: box.rect.minX, y: box.rect.minY + trim, width: box.rect.width, height: max(0, box.rect.height - 2 * trim))
        }
        for i in cores.indices {
            for j in cores.indices where j > i && textBoxes[i].page == textBoxes[j].page {
                let a = cores[i], b = cores[j]
                let w = min(a.maxX, b.maxX) - max(a.minX, b.minX), h = min(a.maxY, b.maxY) - max(a.minY, b.minY)
                if w > 0.5, h > 0.5 { problems.append("\(quoted(textBoxes[i].text)) overlaps \(quoted(textBoxes[j].text))") }
            }
        }
        return problems
    }

    /// The page-space point of a point in the current user space (after any translation, rotation or scaling).
    func pagePoint(_ x: Double, _ y: Double) -> Point {
        var dx = x, dy = y
        cairo_user_to_device(context, &dx, &dy)
        if format == .png {
            let pixels = Canvas.pixels(size, dpi: dpi)
            dx *= size.width / Double(pixels.width)
            dy *= size.height / Double(pixels.height)
        }
        return Point(x: dx, y: dy)
    }

    /// Ends the current page and begins a blank one (PDF only), as for one frame of a walkthrough.
    /// - Throws: `PlotError.singlePageFormat` for PNG and SVG files.
    public func newPage() throws {
        try newPage(size: size)
    }

    /// Ends the current page and begins a blank one of `size` points (PDF only): a report puts each
    /// figure on a page of the figure's own size, so that its text keeps its size relative to the page.
    /// - Throws: `PlotError.singlePageFormat` for PNG and SVG files.
    public func newPage(size newSize: Size) throws {
        guard !finished else { throw PlotError.alreadyFinished(path: path) }
        guard format == .pdf else { throw PlotError.singlePageFormat(path: path) }
        cairo_show_page(context)
        if newSize != size {
            cairo_pdf_surface_set_size(surface, newSize.width, newSize.height)
            size = newSize
        }
        pageCount += 1
        paintBackground()
    }

    /// Encodes the drawing and writes the file atomically (temporary name, then rename).
    /// - Throws: `PlotError` naming the file when Cairo or the file system fails.
    public func finish() throws {
        guard !finished else { throw PlotError.alreadyFinished(path: path) }
        finished = true
        try checkStatus()
        switch format {
        case .png:
            cairo_surface_flush(surface)
            let closure = Unmanaged.passUnretained(sink).toOpaque()
            let status = cairo_surface_write_to_png_stream(surface, ByteSink.write, closure)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw PlotError.cairo(path: path, status: String(cString: cairo_status_to_string(status)))
            }
        case .pdf, .svg:
            cairo_surface_finish(surface)
        }
        try checkStatus()
        if format == .svg { sink.bytes = Canvas.withCrispImages(svg: sink.bytes) }
        try writeAtomically(sink.bytes, to: path)
        sink.bytes = []
    }

    /// Runs `body` between `cairo_save` and `cairo_restore`, so its changes to the state do not leak.
    public func withSavedState<T>(_ body: () throws -> T) rethrows -> T {
        cairo_save(context)
        defer { cairo_restore(context) }
        return try body()
    }

    /// Runs `body` with drawing clipped to `rect`.
    public func withClip<T>(to rect: Rect, _ body: () throws -> T) rethrows -> T {
        try withSavedState {
            cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
            cairo_clip(context)
            return try body()
        }
    }

    // MARK: - Internals

    static func pixels(_ size: Size, dpi: Double) -> (width: Int, height: Int) {
        (max(1, Int((size.width * dpi / 72).rounded())), max(1, Int((size.height * dpi / 72).rounded())))
    }

    /// Marks an SVG's images to be scaled without smoothing: Cairo 1.16 does not carry the NEAREST
    /// filter into SVG, and browsers would blur a 5 x 5 filter drawn an inch wide.
    static func withCrispImages(svg bytes: [UInt8]) -> [UInt8] {
        let tag = Array("<svg ".utf8)
        guard bytes.count >= tag.count, let start = (0...(bytes.count - tag.count)).first(where: { bytes[$0..<($0 + tag.count)].elementsEqual(tag) })
        else { return bytes }
        let attributes = Array("<svg image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" ".utf8)
        return Array(bytes[..<start]) + attributes + Array(bytes[(start + tag.count)...])
    }

    private func checkStatus() throws {
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError.cairo(path: path, status: String(cString: cairo_status_to_string(status)))
        }
        let surfaceStatus = cairo_surface_status(surface)
        guard surfaceStatus == CAIRO_STATUS_SUCCESS else {
            throw PlotError.cairo(path: path, status: String(cString: cairo_status_to_string(surfaceStatus)))
        }
    }

    private func paintBackground() {
        withSavedState {
            setColor(style.background)
            cairo_paint(context)
        }
    }

    private func configureFonts() {
        // Unhinted metrics keep text the same width in PNG, PDF and SVG, so layouts agree.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_SLIGHT)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_set_font_options(context, options)
        cairo_font_options_destroy(options)
    }

    /// Sets the Cairo source to a solid colour.
    func setColor(_ color: RGBColor) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }
}
