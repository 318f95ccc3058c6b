/// A mistake a user can make with shapes or sizes, described in a sentence with both shapes.
public struct ShapeError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A mistake in a layer's or optimizer's configuration (a negative stride, groups that do not divide the channels).
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
