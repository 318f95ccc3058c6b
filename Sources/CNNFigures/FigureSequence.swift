import CNNPlot

/// Several figures as the frames of one, so they can go to one multi-page PDF.
public struct FigureSequence: Figure {
    public var figures: [any Figure]

    public init(_ figures: [any Figure]) {
        precondition(!figures.isEmpty, "FigureSequence: needs at least one figure")
        self.figures = figures
    }

    public var catalogueID: String { figures[0].catalogueID }
    public var title: String { figures.map(\.title).joined(separator: "; ") }
    public var caption: String { figures.map(\.caption).joined(separator: " ") }
    /// The largest preferred width and height among the figures.
    public var preferredSize: Size {
        Size(width: figures.map(\.preferredSize.width).max()!, height: figures.map(\.preferredSize.height).max()!)
    }
    public var frameCount: Int { figures.reduce(0) { $0 + $1.frameCount } }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        var rest = frame
        for figure in figures {
            if rest < figure.frameCount { return try figure.draw(on: canvas, in: rect, frame: rest) }
            rest -= figure.frameCount
        }
        throw ConfigurationErrorForFrames(frame: frame, count: frameCount)
    }
}

/// A frame number past the end of a sequence.
struct ConfigurationErrorForFrames: Error, CustomStringConvertible {
    var frame: Int, count: Int
    var description: String { "frame \(frame + 1) does not exist; the figure has \(count)" }
}
