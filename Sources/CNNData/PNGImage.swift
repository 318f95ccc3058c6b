// PNG images through Cairo: read to channels-first planes, write back.
//
// Cairo hands a PNG over as an image surface in one of its formats: ARGB32 (a native-endian
// 32-bit word per pixel, alpha in the top byte, colour premultiplied by alpha), RGB24 (the same
// word, top byte unused) or A8 (one alpha byte per pixel). Grey PNGs arrive as RGB24 with equal
// channels, so greyness is decided from the pixels: an image is grey when R == G == B everywhere.

import CCairo
import CNNEngine

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A decoded image: red, green and blue planes (channels-first, not premultiplied), and alpha when not opaque.
public struct PNGImage: Sendable, Equatable {
    /// The width in pixels.
    public let width: Int
    /// The height in pixels.
    public let height: Int
    /// The red, green and blue planes, channels-first [3, height, width].
    public let rgb: [UInt8]
    /// The alpha plane [height, width], or nil when every pixel is opaque.
    public let alpha: [UInt8]?
    /// Whether red, green and blue are equal at every pixel.
    public let isGrey: Bool

    /// The natural number of channels: 1 for a grey image, 3 for a colour one.
    public var channels: Int { isGrey ? 1 : 3 }

    /// Creates an image from channels-first planes [3, height, width] and an optional alpha plane.
    public init(width: Int, height: Int, rgb: [UInt8], alpha: [UInt8]? = nil) {
        let plane = width * height
        precondition(rgb.count == 3 * plane, "PNGImage: \(width)x\(height) needs \(3 * plane) RGB bytes, got \(rgb.count)")
        precondition(alpha.map { $0.count == plane } ?? true, "PNGImage: alpha plane must hold \(plane) bytes")
        self.width = width
        self.height = height
        self.rgb = rgb
        self.alpha = alpha.flatMap { $0.allSatisfy { $0 == 255 } ? nil : $0 }
        self.isGrey = rgb.withUnsafeBufferPointer { p in
            (0..<plane).allSatisfy { p[$0] == p[plane + $0] && p[$0] == p[2 * plane + $0] }
        }
    }

    /// Creates a grey image from one plane [height, width].
    public init(width: Int, height: Int, grey: [UInt8]) {
        self.init(width: width, height: height, rgb: grey + grey + grey)
    }

    /// The largest image read: 16384 pixels a side and 40 million pixels (about 300 MB decoded).
    public static let maximumSide = 16384
    public static let maximumPixels = 40_000_000

    /// Reads a PNG file through Cairo.
    ///
    /// Only regular files are read (a FIFO named `.png` would block forever), and the size in the
    /// header is checked against `maximumSide` and `maximumPixels` before anything is decoded.
    /// - Throws: `DataError` for a missing, unreadable or irregular file, a header that is not PNG or
    ///   declares too large an image, data Cairo cannot decode (truncated, corrupt), or a pixel
    ///   format other than ARGB32, RGB24 or A8.
    public init(contentsOf path: String) throws {
        let bytes = try readWholeFile(path)
        try Self.checkHeader(bytes, file: path)
        let source = PNGByteSource(bytes: bytes)
        let surface = withExtendedLifetime(source) {
            cairo_image_surface_create_from_png_stream({ closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
                let source = Unmanaged<PNGByteSource>.fromOpaque(closure).takeUnretainedValue()
                return source.read(into: data, count: Int(length)) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_READ_ERROR
            }, Unmanaged.passUnretained(source).toOpaque())
        }
        guard let surface else { throw DataError(.unreadable, file: path, "Cairo returned no surface") }
        defer { cairo_surface_destroy(surface) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            // Cairo reports a failed decode of a damaged file as "out of memory" or a read error; say what it means.
            throw DataError(.unsupportedContent, file: path, "not a readable PNG: the image data is truncated or corrupt")
        }
        try self.init(surface: surface, file: path)
    }

    /// Checks the PNG signature and the size in the IHDR chunk.
    static func checkHeader(_ bytes: [UInt8], file: String) throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw DataError(.wrongMagicNumber, file: file, "not a PNG file (no PNG signature)")
        }
        guard bytes.count >= 24, bytes[12..<16].elementsEqual("IHDR".utf8) else {
            throw DataError(.truncated, file: file, "not a readable PNG: the header (IHDR) is missing or truncated")
        }
        func word(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let width = word(16), height = word(20)
        guard width >= 1, height >= 1, width <= maximumSide, height <= maximumSide, width * height <= maximumPixels else {
            throw DataError(.unsupportedContent, file: file, "declares a \(width)x\(height) image; images are read up to "
                            + "\(maximumSide) pixels a side and \(maximumPixels / 1_000_000) million pixels in all")
        }
    }

    /// Copies the pixels of a Cairo image surface (ARGB32, RGB24 or A8), undoing premultiplied alpha.
    /// - Throws: `DataError` naming `file` for any other format.
    init(surface: OpaquePointer, file: String) throws {
        cairo_surface_flush(surface)
        let format = cairo_image_surface_get_format(surface)
        let w = Int(cairo_image_surface_get_width(surface))
        let h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let plane = w * h
        var rgb = [UInt8](repeating: 0, count: 3 * plane)
        var alpha = [UInt8](repeating: 255, count: plane)
        guard let data = cairo_image_surface_get_data(surface) else {
            throw DataError(.unreadable, file: file, "Cairo gave no pixel data")
        }
        switch format {
        case CAIRO_FORMAT_ARGB32, CAIRO_FORMAT_RGB24:
            let hasAlpha = format == CAIRO_FORMAT_ARGB32
            for y in 0..<h {
                let row = UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<w {
                    let word = row[x]
                    let a = hasAlpha ? word >> 24 : 255
                    let i = y * w + x
                    rgb[i] = unpremultiplied(word >> 16 & 0xFF, alpha: a)
                    rgb[plane + i] = unpremultiplied(word >> 8 & 0xFF, alpha: a)
                    rgb[2 * plane + i] = unpremultiplied(word & 0xFF, alpha: a)
                    alpha[i] = UInt8(a)
                }
            }
        case CAIRO_FORMAT_A8:
            // An alpha-only surface has no colour; its coverage is read as grey intensity.
            for y in 0..<h {
                for x in 0..<w {
                    let v = data[y * stride + x]
                    rgb[y * w + x] = v
                    rgb[plane + y * w + x] = v
                    rgb[2 * plane + y * w + x] = v
                }
            }
        default:
            throw DataError(.unsupportedContent, file: file,
                            "Cairo pixel format \(format.rawValue) is not ARGB32, RGB24 or A8")
        }
        self.init(width: w, height: h, rgb: rgb, alpha: alpha)
    }

    /// The pixels as bytes, channels-first: 1 channel (grey) or 3 (red, green, blue).
    ///
    /// A colour image made grey takes the luma of ITU-R BT.601, (299 R + 587 G + 114 B) / 1000, rounded.
    public func pixels(channels: Int) -> [UInt8] {
        precondition(channels == 1 || channels == 3, "PNGImage: channels must be 1 or 3, not \(channels)")
        if channels == 3 { return rgb }
        let plane = width * height
        if isGrey { return Array(rgb[0..<plane]) }
        return (0..<plane).map { i in
            let luma = 299 * Int(rgb[i]) + 587 * Int(rgb[plane + i]) + 114 * Int(rgb[2 * plane + i])
            return UInt8((luma + 500) / 1000)
        }
    }

    /// The pixels as a float tensor [1, channels, height, width], each value byte / 255, in [0, 1].
    public func tensor(channels: Int) -> Tensor {
        let bytes = pixels(channels: channels)
        let t = Tensor(shape: [1, channels, height, width])
        for i in 0..<bytes.count { t.pointer[i] = Float(bytes[i]) / 255 }
        return t
    }

    /// Writes the image as a PNG through Cairo (RGB24, or ARGB32 when it has alpha).
    /// - Throws: `DataError` naming the file when Cairo cannot write it.
    public func write(to path: String) throws {
        let format = alpha == nil ? CAIRO_FORMAT_RGB24 : CAIRO_FORMAT_ARGB32
        guard let surface = cairo_image_surface_create(format, Int32(width), Int32(height)) else {
            throw DataError(.unreadable, file: path, "Cairo cannot make a \(width)x\(height) surface")
        }
        defer { cairo_surface_destroy(surface) }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(surface) else {
            throw DataError(.unreadable, file: path, "Cairo cannot make a \(width)x\(height) surface")
        }
        let plane = width * height
        for y in 0..<height {
            let row = UnsafeMutableRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width {
                let i = y * width + x
                let a = UInt32(alpha?[i] ?? 255)
                // Cairo stores colour premultiplied by alpha.
                row[x] = a << 24 | premultiplied(rgb[i], alpha: a) << 16
                    | premultiplied(rgb[plane + i], alpha: a) << 8 | premultiplied(rgb[2 * plane + i], alpha: a)
            }
        }
        cairo_surface_mark_dirty(surface)
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw DataError(.unreadable, file: path, "cannot write PNG (Cairo: \(String(cString: cairo_status_to_string(status))))")
        }
    }
}

/// A colour byte premultiplied by alpha, as Cairo stores it: round(c * a / 255).
private func premultiplied(_ c: UInt8, alpha a: UInt32) -> UInt32 { (UInt32(c) * a + 127) / 255 }

/// A premultiplied colour byte restored: round(c * 255 / a), 0 where fully transparent.
private func unpremultiplied(_ c: UInt32, alpha a: UInt32) -> UInt8 {
    a == 255 ? UInt8(c) : a == 0 ? 0 : UInt8(min(255, (c * 255 + a / 2) / a))
}

/// The bytes of a PNG file, handed to Cairo's stream reader piece by piece.
private final class PNGByteSource {
    let bytes: [UInt8]
    var position = 0
    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Copies the next `count` bytes to `destination`; false when fewer remain.
    func read(into destination: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        guard count <= bytes.count - position else { return false }
        bytes.withUnsafeBufferPointer { destination.update(from: $0.baseAddress! + position, count: count) }
        position += count
        return true
    }
}
