import CCairo

extension Canvas {
    /// Draws `body` as if on a page of `size`, scaled uniformly and centred to fit `rect`
    /// (how a report places a figure drawn at its preferred size onto a page).
    /// - Returns: the rectangle actually covered.
    @discardableResult
    public func withFitted(_ size: Size, in rect: Rect, _ body: (Rect) throws -> Void) rethrows -> Rect {
        let scale = min(rect.width / size.width, rect.height / size.height)
        let w = size.width * scale, h = size.height * scale
        let x = rect.x + (rect.width - w) / 2, y = rect.y + (rect.height - h) / 2
        try withSavedState {
            cairo_translate(context, x, y)
            cairo_scale(context, scale, scale)
            try body(Rect(x: 0, y: 0, width: size.width, height: size.height))
        }
        return Rect(x: x, y: y, width: w, height: h)
    }
}
