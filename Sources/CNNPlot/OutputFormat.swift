// The file formats a canvas can write, chosen by the file's extension.

/// A figure file format.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Raster image; pixel size is the point size times dpi / 72.
    case png
    /// Vector document; the only format with several pages.
    case pdf
    /// Vector image for the web.
    case svg

    /// The format named by the extension of `path` (case-insensitive).
    /// - Throws: `PlotError.unknownExtension` naming the file.
    public init(path: String) throws {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."),
              let format = OutputFormat(rawValue: name[name.index(after: dot)...].lowercased())
        else { throw PlotError.unknownExtension(path: path) }
        self = format
    }

    /// Whether drawing is kept as vectors (PDF, SVG) rather than pixels.
    public var isVector: Bool { self != .png }
}
