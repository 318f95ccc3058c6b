// Colour maps: viridis (from its published table), greys, blues and a diverging blue-white-red map.

/// A map from a value in 0...1 to a colour, interpolating linearly between evenly spaced stops.
public struct ColorMap: Sendable, Equatable {
    /// A short name such as "viridis".
    public let name: String
    /// Colours at evenly spaced positions from 0 to 1 (at least two).
    public let stops: [RGBColor]
    /// Colour used for NaN values.
    public var missingColor = RGBColor(hex: 0xBFBFBF)

    /// Creates a map from at least two evenly spaced colours.
    public init(name: String, stops: [RGBColor]) {
        precondition(stops.count >= 2, "ColorMap \"\(name)\": needs at least two stops, got \(stops.count)")
        self.name = name
        self.stops = stops
    }

    /// The colour at `t`, clamped to 0...1; NaN gives `missingColor`.
    public func color(at t: Double) -> RGBColor {
        guard !t.isNaN else { return missingColor }
        let position = min(max(t, 0), 1) * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        return stops[index].mixed(with: stops[index + 1], position - Double(index))
    }

    /// The same map run backwards.
    public var reversed: ColorMap {
        ColorMap(name: name + "_r", stops: stops.reversed())
    }

    /// Perceptually uniform dark purple to yellow (van der Walt, Smith and Firing, matplotlib's default), 256 entries.
    public static let viridis = ColorMap(name: "viridis", stops: viridisTable)

    /// Black (0) to white (1), for grey-scale images such as MNIST digits.
    public static let greys = ColorMap(name: "greys", stops: [.black, .white])

    /// White (0) to dark blue (1) (ColorBrewer "Blues"), for confusion matrices and counts.
    public static let blues = ColorMap(name: "blues", stops: [
        0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B,
    ].map { RGBColor(hex: $0) })

    /// Dark blue (0) through white (0.5) to dark red (1) (ColorBrewer "RdBu" reversed, with a pure white centre).
    ///
    /// Use it with `ValueRange.symmetric(...)` so that zero maps to white.
    public static let diverging = ColorMap(name: "diverging", stops: [
        0x053061, 0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xFFFFFF, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B, 0x67001F,
    ].map { RGBColor(hex: $0) })
}

/// viridis, the 256 entries of matplotlib's `_viridis_data` (CC0) rounded to 8 bits, packed 8 per string.
private let viridisTable: [RGBColor] = {
    let packed = [
        "44015444025645045745055946075A46085C460A5D460B5E",
        "470D60470E61471063471164471365481467481668481769",
        "48186A481A6C481B6D481C6E481D6F481F70482071482173",
        "482374482475482576482677482878482979472A7A472C7A",
        "472D7B472E7C472F7D46307E46327E46337F463480453581",
        "453781453882443983443A83443B84433D84433E85423F85",
        "4240864241864142874144874045884046883F47883F4889",
        "3E49893E4A893E4C8A3D4D8A3D4E8A3C4F8A3C508B3B518B",
        "3B528B3A538B3A548C39558C39568C38588C38598C375A8C",
        "375B8D365C8D365D8D355E8D355F8D34608D34618D33628D",
        "33638D32648E32658E31668E31678E31688E30698E306A8E",
        "2F6B8E2F6C8E2E6D8E2E6E8E2E6F8E2D708E2D718E2C718E",
        "2C728E2C738E2B748E2B758E2A768E2A778E2A788E29798E",
        "297A8E297B8E287C8E287D8E277E8E277F8E27808E26818E",
        "26828E26828E25838E25848E25858E24868E24878E23888E",
        "23898E238A8D228B8D228C8D228D8D218E8D218F8D21908D",
        "21918C20928C20928C20938C1F948C1F958B1F968B1F978B",
        "1F988B1F998A1F9A8A1E9B8A1E9C891E9D891F9E891F9F88",
        "1FA0881FA1881FA1871FA28720A38620A48621A58521A685",
        "22A78522A88423A98324AA8325AB8225AC8226AD8127AD81",
        "28AE8029AF7F2AB07F2CB17E2DB27D2EB37C2FB47C31B57B",
        "32B67A34B67935B77937B87838B9773ABA763BBB753DBC74",
        "3FBC7340BD7242BE7144BF7046C06F48C16E4AC16D4CC26C",
        "4EC36B50C46A52C56954C56856C66758C7655AC8645CC863",
        "5EC96260CA6063CB5F65CB5E67CC5C69CD5B6CCD5A6ECE58",
        "70CF5773D05675D05477D1537AD1517CD2507FD34E81D34D",
        "84D44B86D54989D5488BD6468ED64590D74393D74195D840",
        "98D83E9BD93C9DD93BA0DA39A2DA37A5DB36A8DB34AADC32",
        "ADDC30B0DD2FB2DD2DB5DE2BB8DE29BADE28BDDF26C0DF25",
        "C2DF23C5E021C8E020CAE11FCDE11DD0E11CD2E21BD5E21A",
        "D8E219DAE319DDE318DFE318E2E418E5E419E7E419EAE51A",
        "ECE51BEFE51CF1E51DF4E61EF6E620F8E621FBE723FDE725",
    ]
    var colors: [RGBColor] = []
    for row in packed {
        var rest = Substring(row)
        while !rest.isEmpty {
            colors.append(RGBColor(hex: UInt32(rest.prefix(6), radix: 16)!))
            rest = rest.dropFirst(6)
        }
    }
    return colors
}()
