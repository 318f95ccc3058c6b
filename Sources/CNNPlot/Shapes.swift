// Lines, boxes, arrows and polygons: the pieces of axes and architecture diagrams.

import CCairo
import Foundation

/// How a line is broken into dashes; the pattern scales with the line width.
public enum LineDash: Sendable, Equatable, Hashable {
    case solid
    case dashed
    case dotted
    case dashDot
    /// Explicit on/off lengths in points.
    case custom([Double])

    /// On/off lengths in points for a line of the given width.
    func pattern(lineWidth: Double) -> [Double] {
        let w = max(lineWidth, 0.5)
        switch self {
        case .solid: return []
        case .dashed: return [3.7 * w, 1.6 * w]
        case .dotted: return [0.1, 1.65 * w]  // round caps turn these into dots
        case .dashDot: return [6.4 * w, 1.6 * w, 0.1, 1.6 * w]
        case .custom(let lengths): return lengths
        }
    }
}

extension Canvas {
    /// Fills a rectangle with a colour.
    public func fill(_ rect: Rect, color: RGBColor) {
        setColor(color)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_fill(context)
    }

    /// Draws a rectangle, optionally with rounded corners, filled and/or outlined.
    /// - Parameters:
    ///   - fill: Interior colour, or nil for none.
    ///   - stroke: Outline colour, or nil for none.
    ///   - cornerRadius: Radius of the rounded corners (0 for square ones).
    public func box(_ rect: Rect, fill: RGBColor? = nil, stroke: RGBColor? = nil, lineWidth: Double = 1,
                    cornerRadius: Double = 0, dash: LineDash = .solid) {
        addRectPath(rect, cornerRadius: cornerRadius)
        fillAndStroke(fill: fill, stroke: stroke, lineWidth: lineWidth, dash: dash)
    }

    /// Draws a straight line.
    public func line(from start: Point, to end: Point, color: RGBColor, lineWidth: Double = 1,
                     dash: LineDash = .solid) {
        cairo_new_path(context)
        cairo_move_to(context, start.x, start.y)
        cairo_line_to(context, end.x, end.y)
        strokePath(color: color, lineWidth: lineWidth, dash: dash)
    }

    /// Draws connected line segments through the points; non-finite points break the line.
    public func polyline(_ points: [Point], color: RGBColor, lineWidth: Double = 1, dash: LineDash = .solid,
                         closed: Bool = false) {
        addPolylinePath(points)
        if closed { cairo_close_path(context) }
        strokePath(color: color, lineWidth: lineWidth, dash: dash)
    }

    /// Draws a closed polygon, filled and/or outlined (for example the slanted faces of a feature-map stack).
    public func polygon(_ points: [Point], fill: RGBColor? = nil, stroke: RGBColor? = nil, lineWidth: Double = 1,
                        dash: LineDash = .solid) {
        guard let first = points.first else { return }
        cairo_new_path(context)
        cairo_move_to(context, first.x, first.y)
        for p in points.dropFirst() { cairo_line_to(context, p.x, p.y) }
        cairo_close_path(context)
        fillAndStroke(fill: fill, stroke: stroke, lineWidth: lineWidth, dash: dash)
    }

    /// Draws a circle, filled and/or outlined.
    public func circle(center: Point, radius: Double, fill: RGBColor? = nil, stroke: RGBColor? = nil,
                       lineWidth: Double = 1) {
        cairo_new_path(context)
        cairo_arc(context, center.x, center.y, radius, 0, 2 * Double.pi)
        fillAndStroke(fill: fill, stroke: stroke, lineWidth: lineWidth, dash: .solid)
    }

    /// Draws an arrow from `start` to `end` with a filled triangular head at `end`.
    /// - Parameters:
    ///   - headLength: Length of the head along the arrow; nil picks one from the line width.
    ///   - bothEnds: Whether to put a head at `start` too.
    public func arrow(from start: Point, to end: Point, color: RGBColor, lineWidth: Double = 1.2,
                      headLength: Double? = nil, dash: LineDash = .solid, bothEnds: Bool = false) {
        let dx = end.x - start.x, dy = end.y - start.y
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > 0 else { return }
        let head = min(headLength ?? max(6, 4.5 * lineWidth), length * (bothEnds ? 0.45 : 0.9))
        let ux = dx / length, uy = dy / length
        // The shaft stops inside the head so its square end does not poke through the tip.
        let shaftStart = bothEnds ? Point(x: start.x + ux * head * 0.8, y: start.y + uy * head * 0.8) : start
        let shaftEnd = Point(x: end.x - ux * head * 0.8, y: end.y - uy * head * 0.8)
        line(from: shaftStart, to: shaftEnd, color: color, lineWidth: lineWidth, dash: dash)
        arrowHead(at: end, ux: ux, uy: uy, length: head, color: color)
        if bothEnds { arrowHead(at: start, ux: -ux, uy: -uy, length: head, color: color) }
    }

    // MARK: - Path helpers shared by the drawers

    func arrowHead(at tip: Point, ux: Double, uy: Double, length: Double, color: RGBColor) {
        let halfWidth = length * 0.38
        let base = Point(x: tip.x - ux * length, y: tip.y - uy * length)
        polygon([tip,
                 Point(x: base.x - uy * halfWidth, y: base.y + ux * halfWidth),
                 Point(x: base.x + uy * halfWidth, y: base.y - ux * halfWidth)],
                fill: color)
    }

    func addRectPath(_ rect: Rect, cornerRadius: Double) {
        cairo_new_path(context)
        let r = min(cornerRadius, rect.width / 2, rect.height / 2)
        guard r > 0 else {
            cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
            return
        }
        let pi = Double.pi
        cairo_new_sub_path(context)
        cairo_arc(context, rect.maxX - r, rect.minY + r, r, -pi / 2, 0)
        cairo_arc(context, rect.maxX - r, rect.maxY - r, r, 0, pi / 2)
        cairo_arc(context, rect.minX + r, rect.maxY - r, r, pi / 2, pi)
        cairo_arc(context, rect.minX + r, rect.minY + r, r, pi, 3 * pi / 2)
        cairo_close_path(context)
    }

    func addPolylinePath(_ points: [Point]) {
        cairo_new_path(context)
        var penDown = false
        for p in points {
            guard p.x.isFinite, p.y.isFinite else { penDown = false; continue }
            if penDown { cairo_line_to(context, p.x, p.y) } else { cairo_move_to(context, p.x, p.y) }
            penDown = true
        }
    }

    func strokePath(color: RGBColor, lineWidth: Double, dash: LineDash) {
        setColor(color)
        cairo_set_line_width(context, lineWidth)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(context, dash == .dotted ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT)
        let pattern = dash.pattern(lineWidth: lineWidth)
        cairo_set_dash(context, pattern, Int32(pattern.count), 0)
        cairo_stroke(context)
        cairo_set_dash(context, nil, 0, 0)
    }

    func fillAndStroke(fill: RGBColor?, stroke: RGBColor?, lineWidth: Double, dash: LineDash) {
        if let fill {
            setColor(fill)
            if stroke != nil { cairo_fill_preserve(context) } else { cairo_fill(context) }
        }
        if let stroke {
            strokePath(color: stroke, lineWidth: lineWidth, dash: dash)
        } else if fill == nil {
            cairo_new_path(context)
        }
    }
}
