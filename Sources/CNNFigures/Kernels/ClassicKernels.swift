// B1: classic hand-designed kernels on real photographs, run through the engine's own Conv2D.
import CNNData
import CNNEngine
import CNNPlot

/// A hand-designed 3x3 kernel: integer weights over a divisor, and how its output is shown.
public struct ClassicKernel: Sendable, Equatable {
    /// How an output is mapped to grey levels.
    public enum Display: Sendable, Equatable {
        /// |y|, from 0 (black) to the image's 99.5th percentile of |y| (white): edge strength, as on
        /// the slides; the few strongest edges saturate rather than darken everything else.
        case absolute
        /// y clipped to the input's range 0...1, as an image viewer would show it.
        case clipped
    }

    public var name: String
    /// The weights as written on the slide (before the divisor).
    public var weights: [[Double]]
    /// The weights are `weights / divisor` (16 for the Gaussian blur).
    public var divisor: Double
    public var display: Display

    public init(name: String, weights: [[Double]], divisor: Double = 1, display: Display) {
        self.name = name; self.weights = weights; self.divisor = divisor; self.display = display
    }

    /// The lecture's five: Sobel horizontal and vertical edges, the edge detector, sharpen, Gaussian blur.
    public static let lecture: [ClassicKernel] = [
        ClassicKernel(name: "Sobel, horizontal", weights: [[1, 2, 1], [0, 0, 0], [-1, -2, -1]], display: .absolute),
        ClassicKernel(name: "Sobel, vertical", weights: [[1, 0, -1], [2, 0, -2], [1, 0, -1]], display: .absolute),
        ClassicKernel(name: "Edge detector", weights: [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], display: .absolute),
        ClassicKernel(name: "Sharpen", weights: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], display: .clipped),
        ClassicKernel(name: "Gaussian blur", weights: [[1, 2, 1], [2, 4, 2], [1, 2, 1]], divisor: 16, display: .clipped),
    ]
}

/// B1: photographs and their convolutions with classic kernels, side by side.
public struct ClassicKernelsFigure: Figure, Sendable {
    /// One photograph: its grey input and one output plane per kernel, as the engine computed them.
    public struct Row: Sendable {
        public var name: String
        public var width: Int, height: Int
        /// Grey levels in 0...1, row-major.
        public var input: [Float]
        /// The engine's raw outputs, one plane per kernel (zero padding 1, so the same size as the input).
        public var outputs: [[Float]]
    }

    public let kernels: [ClassicKernel]
    public let rows: [Row]

    /// Convolves each image (converted to grey) with every kernel, as one engine Conv2D with a filter per kernel.
    /// - Throws: `ConfigurationError` for a kernel that is not 3x3 or for no kernels; the engine's errors.
    public init(images: [(name: String, image: PNGImage)], kernels: [ClassicKernel] = ClassicKernel.lecture) throws {
        guard !kernels.isEmpty else { throw ConfigurationError("B1 needs at least one kernel") }
        for kernel in kernels where kernel.weights.count != 3 || kernel.weights.contains(where: { $0.count != 3 }) {
            throw ConfigurationError("kernel \"\(kernel.name)\" must be 3x3")
        }
        self.kernels = kernels
        let conv = try Conv2D("kernels", inChannels: 1, outChannels: kernels.count, kernelSize: 3, padding: .uniform(1), bias: false)
        try conv.weight.value.assign(Tensor(shape: [kernels.count, 1, 3, 3],
                                            values: kernels.flatMap { k in k.weights.flatMap { $0 }.map { Float($0 / k.divisor) } }))
        conv.setTraining(false)
        rows = try images.map { name, image in
            let grey = Self.grey(image)
            let y = try conv.forward(Tensor(shape: [1, 1, image.height, image.width], values: grey))
            let plane = image.width * image.height, values = y.values
            return Row(name: name, width: image.width, height: image.height, input: grey,
                       outputs: (0..<kernels.count).map { Array(values[($0 * plane)..<(($0 + 1) * plane)]) })
        }
    }

    /// Reads the photographs and convolves them.
    /// - Throws: `DataError` naming a file that is missing or not a PNG.
    /// The photographs that ship with the toolkit, relative to its root (find them with `ShippedFiles.locate`).
    public static let shippedImages = ["datasets/images/camera.png", "datasets/images/chelsea.png"]

    public init(imagePaths: [String], kernels: [ClassicKernel] = ClassicKernel.lecture) throws {
        let images = try imagePaths.map { path in
            (name: String(path.split(separator: "/").last ?? Substring(path)), image: try PNGImage(contentsOf: path))
        }
        try self.init(images: images, kernels: kernels)
    }

    /// Grey levels in 0...1: the image itself when grey, else ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B.
    public static func grey(_ image: PNGImage) -> [Float] {
        let plane = image.width * image.height
        return image.rgb.withUnsafeBufferPointer { p in
            (0..<plane).map { i in
                image.isGrey ? Float(p[i]) / 255
                    : (0.299 * Float(p[i]) + 0.587 * Float(p[plane + i]) + 0.114 * Float(p[2 * plane + i])) / 255
            }
        }
    }

    /// The values drawn for kernel `k` of row `r` and their grey-scale range.
    public func displayed(row r: Int, kernel k: Int) -> (values: [Float], range: ValueRange) {
        let y = rows[r].outputs[k]
        switch kernels[k].display {
        case .absolute:
            let magnitude = y.map(abs)
            let sorted = magnitude.sorted()
            let top = sorted.isEmpty ? 1 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.995))]
            return (magnitude, ValueRange(0, Double(top > 0 ? top : (sorted.last ?? 1))))
        case .clipped:
            return (y.map { min(max($0, 0), 1) }, ValueRange(0, 1))
        }
    }

    public var catalogueID: String { "B1" }
    public var title: String { "B1. Classic kernels on photographs" }
    public var preferredSize: Size { .inches(13, 2.1 + 2.0 * Double(rows.count)) }
    public var caption: String {
        let absolute = kernels.filter { $0.display == .absolute }.map(\.name), clipped = kernels.filter { $0.display == .clipped }.map(\.name)
        var parts = ["Each photograph converted to grey (BT.601 luma; camera is grey already), then convolved by the engine's Conv2D "
                     + "(one filter per kernel, zero padding 1, no flip)."]
        if !absolute.isEmpty {
            parts.append("\(listed(absolute)): edge strength |y|, black at 0, white at the image's 99.5th percentile of |y| (the sign is dropped: a dark-to-light and a light-to-dark edge look alike).")
        }
        if !clipped.isEmpty { parts.append("\(listed(clipped)): y clipped to the input's range 0–1, as an image viewer shows it.") }
        if zoom > 1 { parts.append("The framed inset in each image enlarges the framed patch \(zoom)×, the same patch in every column, so that a 3×3 blur or sharpening is visible.") }
        return parts.joined(separator: " ")
    }

    /// The inset's magnification.
    public var zoom: Int { 4 }

    /// "A, B and C".
    /// "Sobel (horizontal), Sobel (vertical) and Edge detector": a name that holds a comma is written with
    /// parentheses, so that the list's commas do not run into the names'.
    func listed(_ names: [String]) -> String {
        let written = names.map { name -> String in
            guard let comma = name.firstIndex(of: ",") else { return name }
            return name[..<comma] + " (" + name[name.index(after: comma)...].trimmingCharacters(in: .whitespaces) + ")"
        }
        return written.count <= 1 ? written.joined() : written.dropLast().joined(separator: ", ") + " and " + written.last!
    }

    /// The patch of row `r` shown enlarged: the square of `side` pixels with the most edge energy (the
    /// input's gradient magnitude summed), searched on a coarse grid outside the lower right corner where
    /// the enlargement is drawn (the top `free` fraction of rows or left `free` fraction of columns), so
    /// it is the same patch in every column.
    public func insetPatch(row r: Int, side requested: Int, free: Double = 0.55) -> (x: Int, y: Int, side: Int) {
        let row = rows[r]
        let side = max(4, min(requested, row.width, row.height))
        let image = row.input
        var best = (x: 0, y: 0, energy: -1.0)
        let step = max(1, side / 2)
        for y in stride(from: 0, through: row.height - side, by: step) {
            for x in stride(from: 0, through: row.width - side, by: step) {
                var energy = 0.0
                for yy in stride(from: y + 1, to: y + side - 1, by: 2) {
                    for xx in stride(from: x + 1, to: x + side - 1, by: 2) {
                        let gx = image[yy * row.width + xx + 1] - image[yy * row.width + xx - 1]
                        let gy = image[(yy + 1) * row.width + xx] - image[(yy - 1) * row.width + xx]
                        energy += Double(abs(gx) + abs(gy))
                    }
                }
                let clear = Double(x + side) <= free * Double(row.width) || Double(y + side) <= free * Double(row.height)
                if clear && energy > best.energy { best = (x, y, energy) }
            }
        }
        return (best.x, best.y, side)
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let area = rect.insetBy(dx: style.margin, dy: style.margin)
        let columns = kernels.count + 1
        // Never below 1.2: text 18 px or more when the 13 in figure is shown 1500 px wide.
        let scale = min(1.35, max(1.25, area.width / 930))
        let note = "|y|: edge strength, 0 black; clipped: 0–1 as a viewer shows it; framed: \(zoom)× enlargement"
        let body = canvas.titledFrame(title: title, note: note, in: area, scale: scale, spacing: 8)

        // Column width from the width, or from the height the rows of images leave.
        let gap = 8 * scale
        let labelFont = Font(size: style.labelFont.size * scale, bold: true)
        let labelHeight = canvas.measure("Hg", font: labelFont).height
        let aspectSum = rows.reduce(0.0) { $0 + Double($1.height) / Double($1.width) }
        let byWidth = (body.width - gap * Double(columns - 1)) / Double(columns)
        // Header: the label and the kernel (3 cells of 0.15 of the column each, at most 20 points: digits legible on a slide).
        func headerHeight(_ width: Double) -> Double { labelHeight + 6 * scale + 3 * min(width * 0.15, 20 * scale) }
        var column = byWidth
        for _ in 0..<3 {  // the header depends on the width; settle in a few steps
            column = min(byWidth, (body.height - headerHeight(column) - gap * Double(rows.count)) / max(aspectSum, 0.1))
        }
        let header = headerHeight(column)
        let used = header + gap * Double(rows.count) + column * aspectSum
        let left = body.center.x - (Double(columns) * column + Double(columns - 1) * gap) / 2
        var top = body.minY + max(0, (body.height - used) / 2)

        let kernelCell = min(column * 0.15, 20 * scale)
        for c in 0..<columns {
            let x = left + Double(c) * (column + gap)
            let label = c == 0 ? "Input (grey)" : kernels[c - 1].name
            canvas.fittedText(label, in: Rect(x: x, y: top, width: column, height: labelHeight), font: labelFont,
                              horizontal: .center, vertical: .top)
            if c > 0 {
                drawKernel(kernels[c - 1], centeredAt: x + column / 2, top: top + labelHeight + 4 * scale, cell: kernelCell, on: canvas)
            } else {
                canvas.fittedText("0 (black) to 1 (white)", in: Rect(x: x, y: top + labelHeight + 4 * scale, width: column, height: 3 * kernelCell),
                                  font: Font(size: style.tickFont.size * scale), color: style.mutedForeground,
                                  horizontal: .center, vertical: .middle)
            }
        }
        top += header + gap
        let pixelsPerPoint = (canvas.pixelSize.map { Double($0.width) / canvas.size.width }) ?? 300.0 / 72
        for (r, row) in rows.enumerated() {
            let height = column * Double(row.height) / Double(row.width)
            for c in 0..<columns {
                let cell = Rect(x: left + Double(c) * (column + gap), y: top, width: column, height: height)
                let (values, range) = c == 0 ? (row.input, ValueRange(0, 1)) : displayed(row: r, kernel: c - 1)
                let factor = max(1, Int(Double(row.width) / (column * pixelsPerPoint)))
                let reduced = Self.reduce(values, width: row.width, height: row.height, by: factor)
                canvas.image(reduced.values, width: reduced.width, height: reduced.height, in: cell, colorMap: .greys,
                             range: range, border: RGBColor(hex: 0x9A9A9A))
                // The same patch enlarged in the lower right corner, at full resolution (nearest neighbour).
                let insetSide = min(cell.width, cell.height) * 0.42
                let scaleToCell = cell.width / Double(row.width)
                let patch = insetPatch(row: r, side: Int((insetSide / (Double(zoom) * scaleToCell)).rounded()))
                let inset = Rect(x: cell.maxX - insetSide - 3, y: cell.maxY - insetSide - 3, width: insetSide, height: insetSide)
                var crop = [Float](repeating: 0, count: patch.side * patch.side)
                for y in 0..<patch.side {
                    for x in 0..<patch.side { crop[y * patch.side + x] = values[(patch.y + y) * row.width + patch.x + x] }
                }
                canvas.image(crop, width: patch.side, height: patch.side, in: inset, colorMap: .greys, range: range,
                             border: RGBColor(hex: 0xE07B00))
                canvas.box(Rect(x: cell.minX + Double(patch.x) * scaleToCell, y: cell.minY + Double(patch.y) * scaleToCell,
                                width: Double(patch.side) * scaleToCell, height: Double(patch.side) * scaleToCell),
                           stroke: RGBColor(hex: 0xE07B00), lineWidth: 1.5)
            }
            top += height + gap
        }
    }

    /// Draws the kernel as a small grid, with "1/16 ×" in front when it has a divisor.
    private func drawKernel(_ kernel: ClassicKernel, centeredAt x: Double, top: Double, cell: Double, on canvas: Canvas) {
        let prefix = kernel.divisor == 1 ? "" : "1/\(formatNumber(kernel.divisor)) ×"
        let font = Font(size: cell * 0.62)
        let prefixWidth = prefix.isEmpty ? 0 : canvas.measure(prefix, font: font).width + cell * 0.3
        let gridWidth = 3 * cell
        let start = x - (gridWidth + prefixWidth) / 2
        if !prefix.isEmpty {
            canvas.text(prefix, at: Point(x: start, y: top + 1.5 * cell), font: font, horizontal: .left, vertical: .middle)
        }
        let values = kernel.weights.flatMap { $0 }
        canvas.numberGrid(values, rows: 3, columns: 3, in: Rect(x: start + prefixWidth, y: top, width: gridWidth, height: gridWidth),
                          cellColors: values.map { $0 > 0 ? RGBColor(hex: 0xFCE8CF) : $0 < 0 ? RGBColor(hex: 0xDCE9F5) : nil },
                          maximumFontSize: cell * 0.62)
    }

    /// The image averaged over `factor` x `factor` blocks, so a photograph drawn small is not aliased.
    static func reduce(_ values: [Float], width: Int, height: Int, by factor: Int) -> (values: [Float], width: Int, height: Int) {
        guard factor > 1 else { return (values, width, height) }
        let w = width / factor, h = height / factor
        var out = [Float](repeating: 0, count: w * h)
        let norm = 1 / Float(factor * factor)
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for dy in 0..<factor { for dx in 0..<factor { s += values[(y * factor + dy) * width + x * factor + dx] } }
                out[y * w + x] = s * norm
            }
        }
        return (out, w, h)
    }
}
