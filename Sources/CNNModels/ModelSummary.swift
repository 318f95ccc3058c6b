import CNNEngine

/// A per-layer table of a network, like torchinfo: name, kind, output shape, parameters, multiply-adds.
public struct ModelSummary: Codable, Sendable {
    /// One row: a layer at some depth of nesting.
    public struct Row: Codable, Sendable, Equatable {
        public var name: String
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
        rows = []
        var shape = spec.inputShape
        for layer in network.layers {
            Self.describe(layer, input: shape, depth: 0, into: &rows)
            shape = try layer.outputShape(for: shape)
        }
        parameters = network.parameterCount
        macs = try network.multiplyAdds(for: spec.inputShape)
    }

    private static func describe(_ layer: any Layer, input: [Int], depth: Int, into rows: inout [Row]) {
        let output = (try? layer.outputShape(for: input)) ?? []
        rows.append(Row(name: layer.name, kind: layer.kind, depth: depth, outputShape: output,
                        parameters: layer.parameterCount, macs: (try? layer.multiplyAdds(for: input)) ?? 0))
        var shape = input
        let inner: [any Layer]
        if let block = layer as? Residual {
            inner = block.body.layers
        } else if let concat = layer as? ChannelConcat {
            inner = concat.body.layers
        } else if let sequence = layer as? Sequential {
            inner = sequence.layers
        } else {
            inner = []
        }
        for child in inner {
            describe(child, input: shape, depth: depth + 1, into: &rows)
            shape = (try? child.outputShape(for: shape)) ?? shape
        }
        if let block = layer as? Residual, case let .projection(p) = block.shortcut {
            describe(p, input: input, depth: depth + 1, into: &rows)
        }
    }

    /// The table as text, with thousands separators and totals.
    public var table: String {
        func grouped(_ n: Int) -> String {
            let s = String(n)
            var out = ""
            for (i, ch) in s.reversed().enumerated() {
                if i > 0 && i % 3 == 0 { out.append(",") }
                out.append(ch)
            }
            return String(out.reversed())
        }
        let header = ["Layer", "Kind", "Output shape", "Parameters", "Mult-adds"]
        var cells = rows.map { row in
            [String(repeating: "  ", count: row.depth) + row.name, row.kind,
             row.outputShape.map(String.init).joined(separator: "x"), grouped(row.parameters), grouped(row.macs)]
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
        text += "\n" + rule + "\nTotal parameters: \(grouped(parameters))\nMult-adds per sample: \(grouped(macs))\n"
        return text
    }
}
