// Plain geometry values in points (1/72 inch), y growing downwards as in Cairo.

/// A position in points, measured from the top-left corner of the page.
public struct Point: Sendable, Equatable, Hashable {
    public var x: Double
    public var y: Double

    /// Creates a point from its coordinates in points.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A width and a height in points.
public struct Size: Sendable, Equatable, Hashable {
    public var width: Double
    public var height: Double

    /// Creates a size in points.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Creates a size from inches (72 points each), the unit figure sizes are usually given in.
    public static func inches(_ width: Double, _ height: Double) -> Size {
        Size(width: width * 72, height: height * 72)
    }
}

/// An axis-aligned rectangle in points: its top-left corner and its size.
public struct Rect: Sendable, Equatable, Hashable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    /// Creates a rectangle from its top-left corner and size.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Creates a rectangle from an origin and a size.
    public init(origin: Point, size: Size) {
        self.init(x: origin.x, y: origin.y, width: size.width, height: size.height)
    }

    /// The smallest x coordinate.
    public var minX: Double { x }
    /// The largest x coordinate.
    public var maxX: Double { x + width }
    /// The smallest y coordinate (the top edge).
    public var minY: Double { y }
    /// The largest y coordinate (the bottom edge).
    public var maxY: Double { y + height }
    /// The top-left corner.
    public var origin: Point { Point(x: x, y: y) }
    /// The centre of the rectangle.
    public var center: Point { Point(x: x + width / 2, y: y + height / 2) }
    /// The size of the rectangle.
    public var size: Size { Size(width: width, height: height) }

    /// The rectangle shrunk by `dx` on the left and right and `dy` at the top and bottom (negative values grow it).
    public func insetBy(dx: Double, dy: Double) -> Rect {
        Rect(x: x + dx, y: y + dy, width: max(0, width - 2 * dx), height: max(0, height - 2 * dy))
    }

    /// The rectangle shrunk by separate amounts on each side.
    public func inset(top: Double = 0, left: Double = 0, bottom: Double = 0, right: Double = 0) -> Rect {
        Rect(x: x + left, y: y + top,
             width: max(0, width - left - right), height: max(0, height - top - bottom))
    }

    /// Whether the point lies inside the rectangle or on its edge.
    /// Whether `other` lies wholly inside this rectangle.
    public func contains(_ other: Rect) -> Bool {
        other.minX >= minX && other.maxX <= maxX && other.minY >= minY && other.maxY <= maxY
    }

    public func contains(_ point: Point) -> Bool {
        point.x >= minX && point.x <= maxX && point.y >= minY && point.y <= maxY
    }

    /// Whether the two rectangles overlap in an area larger than zero.
    public func intersects(_ other: Rect) -> Bool {
        minX < other.maxX && other.minX < maxX && minY < other.maxY && other.minY < maxY
    }

    /// The largest rectangle of the given aspect ratio (width / height) that fits inside, centred.
    public func fitted(aspectRatio: Double) -> Rect {
        guard aspectRatio > 0, width > 0, height > 0 else { return self }
        if width / height > aspectRatio {
            let w = height * aspectRatio
            return Rect(x: x + (width - w) / 2, y: y, width: w, height: height)
        } else {
            let h = width / aspectRatio
            return Rect(x: x, y: y + (height - h) / 2, width: width, height: h)
        }
    }
}
