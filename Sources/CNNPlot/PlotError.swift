// Errors a caller can cause; each names the file it concerns.

import Foundation

/// What went wrong while creating or writing a figure file.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    /// The file name ends in an extension that names no supported format.
    case unknownExtension(path: String)
    /// The directory the file would go into does not exist or cannot be written.
    case unwritableDirectory(path: String, directory: String)
    /// Cairo reported an error while drawing or encoding the file.
    case cairo(path: String, status: String)
    /// Writing or renaming the file failed.
    case writeFailed(path: String, reason: String)
    /// A second page was requested from a format that holds only one.
    case singlePageFormat(path: String)
    /// The figure size or resolution is not positive and finite.
    case invalidSize(path: String, width: Double, height: Double, dpi: Double)
    /// Drawing was attempted after the canvas had been finished.
    case alreadyFinished(path: String)

    public var description: String {
        switch self {
        case .unknownExtension(let path):
            return "cannot write \"\(path)\": unknown file extension (use .png, .pdf or .svg)"
        case .unwritableDirectory(let path, let directory):
            return "cannot write \"\(path)\": directory \"\(directory)\" does not exist or is not writable"
        case .cairo(let path, let status):
            return "cannot write \"\(path)\": Cairo error: \(status)"
        case .writeFailed(let path, let reason):
            return "cannot write \"\(path)\": \(reason)"
        case .singlePageFormat(let path):
            return "cannot add a page to \"\(path)\": only PDF files have several pages"
        case .invalidSize(let path, let width, let height, let dpi):
            return "cannot create \"\(path)\": size \(width) x \(height) pt at \(dpi) dpi is not positive"
        case .alreadyFinished(let path):
            return "\"\(path)\" has already been written; the canvas cannot be used again"
        }
    }
}

extension PlotError: LocalizedError {
    public var errorDescription: String? { description }
}
