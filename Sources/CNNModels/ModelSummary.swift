import CNNEngine

/// A per-layer table of a network, like torchinfo: name, kind, output shape, parameters, multiply-adds.
public struct ModelSummary: Codable, Sendable {
    /// One row: a layer at some depth of nesting.
    public struct Row: Codable, Sendable, Equatable {
        public var name: String
        /// The layer's `kindName` (`Conv2D`, `PlainBlock`, ...).
        public var kind: String
        public var depth: Int
        public var outputShape: [Int]
        public var parameters: Int
        public var macs: Int
    }

    public var model: String
    public var inputShape: [Int]
    public var rows: [Row]
    /// Learnable parameters in all.
    public var parameters: Int
    /// Multiply-adds of one sample's forward pass (convolutions and dense layers).
    public var macs: Int

    /// Summarises `spec` without allocating its weights.
    public init(_ spec: ModelSpec) throws {
        let network = try spec.build()
        model = spec.name
        inputShape = spec.inputShape
        var rows: [Row] = []
        // Every layer at every depth: a residual block's row, then its body's, its projection's and its activation's.
        network.forEachLayer(inputShape: spec.inputShape) { visit in
            let layer = visit.layer
            rows.append(Row(name: layer.name, kind: layer.kindName, depth: visit.depth,
                            outputShape: visit.inputShape.flatMap { try? layer.outputShape(for: $0) } ?? [],
                            parameters: layer.parameterCount, macs: visit.inputShape.flatMap { try? layer.multiplyAdds(for: $0) } ?? 0))
        }
        self.rows = rows
        parameters = network.parameterCount
        macs = try network.multiplyAdds(for: spec.inputShape)
    }

    /// The table as text, with thousands separators and totals.
    public var table: String {
        let header = ["Layer", "Kind", "Output shape", "Parameters", "Mult-adds"]
        var cells = rows.map { row in
            [String(repeating: "  ", count: row.depth) + row.name, row.kind,
             row.outputShape.map(String.init).joined(separator: "x"), groupedThousands(row.parameters), groupedThousands(row.macs)]
        }
        cells.insert(header, at: 0)
        let widths = (0..<header.count).map { c in cells.map { $0[c].count }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { c, v in
                c >= 3 ? String(repeating: " ", count: widths[c] - v.count) + v : v + String(repeating: " ", count: widths[c] - v.count)
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        var text = "\(model), input \(inputShape.map(String.init).joined(separator: "x"))\n" + line(cells[0]) + "\n" + rule + "\n"
        text += cells.dropFirst().map(line).joined(separator: "\n")
        text += "\n" + rule + "\nTotal parameters: \(groupedThousands(parameters))\nMult-adds per sample: \(groupedThousands(macs))\n"
        return text
    }
}

/// `n` with thousands separators, the toolkit's one number format for counts: 20,000,500 (a minus sign, not a
/// hyphen, before a negative number).
public func groupedThousands(_ n: Int) -> String {
    var out = ""
    for (i, ch) in String(n.magnitude).reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "\u{2212}" : "") + String(out.reversed())
}

/// A count with its noun in the right number: `counted(1, "figure")` is "1 figure", `counted(39, "figure")`
/// "39 figures", `counted(3, "run", plural: "runs")`. Thousands are grouped.
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(groupedThousands(count)) \(count == 1 ? noun : plural ?? noun + "s")"
}
