// Colours as plain values, components in 0...1 (sRGB, not premultiplied).

import Foundation

/// A colour with red, green, blue and alpha components in 0...1.
public struct RGBColor: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    /// Creates a colour from components in 0...1.
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// Creates a colour from a 24-bit value such as `0x440154`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255,
                  green: Double((hex >> 8) & 0xFF) / 255,
                  blue: Double(hex & 0xFF) / 255,
                  alpha: alpha)
    }

    /// Creates a colour from a string such as `"#440154"` or `"440154"`; nil when it is not six hex digits.
    public init?(hexString: String) {
        let digits = hexString.hasPrefix("#") ? String(hexString.dropFirst()) : hexString
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        self.init(hex: value)
    }

    /// A grey of the given lightness (0 black, 1 white).
    public static func gray(_ white: Double, alpha: Double = 1) -> RGBColor {
        RGBColor(red: white, green: white, blue: white, alpha: alpha)
    }

    /// The colour as `#RRGGBB` (alpha left out), the way colour tables print it.
    public var hexString: String {
        func byte(_ c: Double) -> String {
            let v = Int((min(max(c, 0), 1) * 255).rounded())
            let s = String(v, radix: 16, uppercase: true)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + byte(red) + byte(green) + byte(blue)
    }

    public var description: String { hexString }

    /// The same colour with another alpha.
    public func withAlpha(_ alpha: Double) -> RGBColor {
        RGBColor(red: red, green: green, blue: blue, alpha: alpha)
    }

    /// The colour a fraction `t` of the way to `other` (0 gives self, 1 gives other), mixed linearly.
    public func mixed(with other: RGBColor, _ t: Double) -> RGBColor {
        RGBColor(red: red + (other.red - red) * t,
                 green: green + (other.green - green) * t,
                 blue: blue + (other.blue - blue) * t,
                 alpha: alpha + (other.alpha - alpha) * t)
    }

    /// Relative luminance (Rec. 709 weights on linearised sRGB), used to pick readable text on a fill.
    public var luminance: Double {
        func linear(_ c: Double) -> Double {
            c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// Black-ish or white text, whichever reads better on this colour as a background.
    public var contrastingText: RGBColor {
        luminance > 0.25 ? RGBColor(hex: 0x1A1A1A) : .white
    }

    public static let black = RGBColor(red: 0, green: 0, blue: 0)
    public static let white = RGBColor(red: 1, green: 1, blue: 1)
    public static let clear = RGBColor(red: 0, green: 0, blue: 0, alpha: 0)
}
