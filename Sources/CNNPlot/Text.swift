// Text: measuring, aligned and rotated drawing, and fitting text into a box.

import CCairo
import Foundation

/// Where a text's anchor point lies horizontally.
public enum HorizontalAlignment: Sendable { case left, center, right }

/// Where a text's anchor point lies vertically.
public enum VerticalAlignment: Sendable {
    /// The anchor is at the top of the tallest glyphs (the font's ascent).
    case top
    /// The anchor is halfway up the capital letters, which centres digits and capitals exactly.
    case middle
    /// The anchor is on the baseline of the (first) line.
    case baseline
    /// The anchor is at the bottom of the descenders of the last line.
    case bottom
}

/// The size of a (possibly multi-line) text in a given font.
public struct TextMetrics: Sendable, Equatable {
    /// Advance width of the widest line.
    public var width: Double
    /// Height from the top of the first line (ascent) to the bottom of the last (descent).
    public var height: Double
    /// Font ascent: baseline to the top of the tallest glyphs.
    public var ascent: Double
    /// Font descent: baseline to the bottom of descenders.
    public var descent: Double
    /// Height of capital letters above the baseline.
    public var capHeight: Double
    /// Distance between the baselines of consecutive lines.
    public var lineSpacing: Double
    /// Number of lines.
    public var lineCount: Int
}

extension Canvas {
    /// Measures `text` (lines separated by "\n") in `font` with Cairo's text extents.
    public func measure(_ text: String, font: Font) -> TextMetrics {
        withSavedState {
            selectFont(font)
            var fontExtents = cairo_font_extents_t()
            cairo_font_extents(context, &fontExtents)
            var capExtents = cairo_text_extents_t()
            cairo_text_extents(context, "H", &capExtents)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var width = 0.0
            for line in lines {
                var extents = cairo_text_extents_t()
                cairo_text_extents(context, String(line), &extents)
                // Logical advance, but never less than the ink, so italics and wide glyphs are not clipped.
                width = max(width, extents.x_advance, extents.x_bearing + extents.width)
            }
            let spacing = font.size * 1.2
            return TextMetrics(
                width: width,
                height: fontExtents.ascent + fontExtents.descent + spacing * Double(lines.count - 1),
                ascent: fontExtents.ascent, descent: fontExtents.descent,
                capHeight: -capExtents.y_bearing, lineSpacing: spacing, lineCount: lines.count)
        }
    }

    /// Draws `text` (lines separated by "\n") anchored at `point`.
    /// - Parameters:
    ///   - horizontal: Which side of the text the anchor is on; also aligns the lines.
    ///   - vertical: Which height of the text the anchor is at.
    ///   - angle: Rotation in radians about the anchor, counter-clockwise as seen on the page
    ///     (`.pi / 2` reads bottom to top, as a y-axis label).
    public func text(_ text: String, at point: Point, font: Font, color: RGBColor? = nil,
                     horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline,
                     angle: Double = 0) {
        guard !text.isEmpty else { return }
        let metrics = measure(text, font: font)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let lastToFirst = metrics.lineSpacing * Double(lines.count - 1)
        let firstBaseline: Double
        switch vertical {
        case .top: firstBaseline = metrics.ascent
        case .middle: firstBaseline = (metrics.capHeight - lastToFirst) / 2
        case .baseline: firstBaseline = 0
        case .bottom: firstBaseline = -metrics.descent - lastToFirst
        }
        withSavedState {
            cairo_translate(context, point.x, point.y)
            cairo_rotate(context, -angle)
            selectFont(font)
            setColor(color ?? style.foreground)
            for (index, line) in lines.enumerated() {
                let lineWidth = lines.count == 1 ? metrics.width : measure(line, font: font).width
                let x: Double
                switch horizontal {
                case .left: x = 0
                case .center: x = -lineWidth / 2
                case .right: x = -lineWidth
                }
                cairo_move_to(context, x, firstBaseline + Double(index) * metrics.lineSpacing)
                cairo_show_text(context, line)
            }
            recordTextBox(text, font: font, metrics: metrics, lines: lines, firstBaseline: firstBaseline, horizontal: horizontal)
        }
    }

    /// Adds the page-space box of text just drawn (in the current user space) to `textBoxes`,
    /// limited to the clip rectangle when one cuts it.
    private func recordTextBox(_ text: String, font: Font, metrics: TextMetrics, lines: [String], firstBaseline: Double,
                               horizontal: HorizontalAlignment) {
        let width = metrics.width
        let left: Double
        switch horizontal {
        case .left: left = 0
        case .center: left = -width / 2
        case .right: left = -width
        }
        let top = firstBaseline - metrics.ascent
        let bottom = firstBaseline + metrics.lineSpacing * Double(lines.count - 1) + metrics.descent
        let corners = [pagePoint(left, top), pagePoint(left + width, top), pagePoint(left, bottom), pagePoint(left + width, bottom)]
        var minX = corners.map(\.x).min()!, maxX = corners.map(\.x).max()!
        var minY = corners.map(\.y).min()!, maxY = corners.map(\.y).max()!
        // Text cut by a clip rectangle inside the page (fitted text) counts only where it shows; text
        // beyond the page's edge is kept whole, so that it is reported as running off the page.
        var x1 = 0.0, y1 = 0.0, x2 = 0.0, y2 = 0.0
        cairo_clip_extents(context, &x1, &y1, &x2, &y2)
        let clipA = pagePoint(x1, y1), clipB = pagePoint(x2, y2)
        let clip = Rect(x: min(clipA.x, clipB.x), y: min(clipA.y, clipB.y), width: abs(clipB.x - clipA.x), height: abs(clipB.y - clipA.y))
        if clip.width < size.width - 0.5 || clip.height < size.height - 0.5 {
            minX = max(minX, clip.minX); maxX = min(maxX, clip.maxX)
            minY = max(minY, clip.minY); maxY = min(maxY, clip.maxY)
        }
        guard maxX > minX, maxY > minY else { return }
        let scale = hypot(pagePoint(1, 0).x - pagePoint(0, 0).x, pagePoint(1, 0).y - pagePoint(0, 0).y)
        textBoxes.append(TextBox(text: text, fontSize: font.size * scale, rect: Rect(x: minX, y: minY, width: maxX - minX, height: maxY - minY),
                                 page: pageCount))
    }

    /// Draws `text` inside `rect` at the largest size up to `font.size` that fits, and returns that size.
    ///
    /// The size never goes below `minimumSize`; text that still does not fit is clipped to the box
    /// rather than spilling over its neighbours.
    @discardableResult
    public func fittedText(_ text: String, in rect: Rect, font: Font, color: RGBColor? = nil,
                           horizontal: HorizontalAlignment = .center, vertical: VerticalAlignment = .middle,
                           minimumSize: Double = 4) -> Double {
        let size = fittedFontSize(for: [text], in: rect.size, font: font, minimumSize: minimumSize)
        let x: Double
        switch horizontal {
        case .left: x = rect.minX
        case .center: x = rect.center.x
        case .right: x = rect.maxX
        }
        let y: Double
        switch vertical {
        case .top: y = rect.minY
        case .middle, .baseline: y = rect.center.y
        case .bottom: y = rect.maxY
        }
        withClip(to: rect) {
            self.text(text, at: Point(x: x, y: y), font: font.withSize(size), color: color,
                      horizontal: horizontal, vertical: vertical == .baseline ? .middle : vertical)
        }
        return size
    }

    /// The largest font size, at most `font.size`, at which every text fits in `box`.
    ///
    /// One size for all texts keeps a grid of numbers uniform.
    public func fittedFontSize(for texts: [String], in box: Size, font: Font, minimumSize: Double = 4) -> Double {
        var widest = 0.0, tallest = 0.0
        let probe = font.withSize(100)
        for text in texts where !text.isEmpty {
            let m = measure(text, font: probe)
            widest = max(widest, m.width)
            tallest = max(tallest, m.height)
        }
        guard widest > 0, tallest > 0 else { return font.size }
        // Text extents scale linearly with the font size (metrics are unhinted).
        let scale = min(box.width / widest, box.height / tallest) * 100
        return max(minimumSize, min(font.size, scale * 0.999))
    }

    /// `wrapped`, with the lines made as even as they can be at the same line count, so that a last line
    /// never holds one orphan word when the text could be split more evenly.
    public func balancedWrapped(_ text: String, width: Double, font: Font) -> [String] {
        let greedy = wrapped(text, width: width, font: font)
        guard greedy.count > 1 else { return greedy }
        var low = 0.0, high = width
        for _ in 0..<20 {
            let mid = (low + high) / 2
            if wrapped(text, width: mid, font: font).count > greedy.count { low = mid } else { high = mid }
        }
        return wrapped(text, width: high, font: font)
    }

    /// Breaks `text` at spaces into lines no wider than `width` (a single long word stays whole).
    public func wrapped(_ text: String, width: Double, font: Font) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            for word in paragraph.split(separator: " ") {
                let candidate = current.isEmpty ? String(word) : current + " " + word
                if current.isEmpty || measure(candidate, font: font).width <= width {
                    current = candidate
                } else {
                    lines.append(current)
                    current = String(word)
                }
            }
            lines.append(current)
        }
        return lines
    }

    func selectFont(_ font: Font) {
        cairo_select_font_face(context, style.fontFamily,
                               font.italic ? CAIRO_FONT_SLANT_OBLIQUE : CAIRO_FONT_SLANT_NORMAL,
                               font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, font.size)
    }
}
