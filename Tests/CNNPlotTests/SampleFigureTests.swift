// Renders the sample figures of docs/figures/plot-samples, as PNG and PDF, and checks the files.
//
// Set CNNPLOT_SAMPLES_DIR to a directory to keep the PNGs there (that is how the committed samples are made);
// otherwise they go to a temporary directory.

import CNNPlot
import Foundation
import Testing
import _TestSupport

@Suite("Sample figures")
struct SampleFigureTests {
    /// Where samples go: $CNNPLOT_SAMPLES_DIR, or a fresh temporary directory.
    private func outputDirectory() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["CNNPLOT_SAMPLES_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        return try temporaryFolder("CNNPlotTests")
    }

    /// Draws `draw` into a PNG (kept in the samples directory) and a PDF (in a temporary one), and checks both.
    private func render(_ name: String, size: Size, _ draw: (Canvas) throws -> Void) throws {
        let png = try outputDirectory().appendingPathComponent("\(name).png").path
        try Canvas.write(to: png, size: size, dpi: 150, draw)
        let pixels = try #require(pngSize(try Data(contentsOf: URL(fileURLWithPath: png))))
        #expect(pixels.width == Int((size.width * 150 / 72).rounded()))
        #expect(pixels.height == Int((size.height * 150 / 72).rounded()))

        let pdf = try outputDirectory().appendingPathComponent("\(name).pdf").path
        try Canvas.write(to: pdf, size: size, draw)
        let text = pdfText(try Data(contentsOf: URL(fileURLWithPath: pdf)))
        #expect(text.hasPrefix("%PDF-"))
        #expect(pdfPageCount(text) == 1)
    }

    @Test("line chart: three series with min-max bands and a legend")
    func lineChart() throws {
        let epochs = (1...30).map(Double.init)
        func curve(start: Double, end: Double, rate: Double, wobble: Double) -> [Double] {
            epochs.map { e in end + (start - end) * exp(-rate * (e - 1)) + wobble * sin(e * 1.7) }
        }
        let specs: [(String, Double, Double, Double, LineDash)] = [
            ("plain-20", 62, 9.2, 0.22, .solid),
            ("plain-56", 78, 13.1, 0.13, .dashed),
            ("ResNet-56", 58, 6.9, 0.24, .solid),
        ]
        let series = specs.map { label, start, end, rate, dash in
            let mid = curve(start: start, end: end, rate: rate, wobble: 0.35)
            let spread = mid.map { 0.6 + 0.05 * $0 }
            return LineSeries(label: label, x: epochs, y: mid, dash: dash,
                              band: Band(lower: zip(mid, spread).map { $0 - $1 }, upper: zip(mid, spread).map { $0 + $1 }))
        }
        let chart = LineChart(series: series, title: "CIFAR-10 test error, 3 runs each (line: mean, band: min–max)",
                              xLabel: "epoch", yLabel: "test error (%)")
        try render("line-chart", size: .inches(6, 4)) { canvas in chart.draw(on: canvas, in: canvas.bounds) }
    }

    @Test("line chart on a logarithmic axis")
    func logLineChart() throws {
        let steps = (1...200).map(Double.init)
        let chart = LineChart(series: [
            LineSeries(label: "training loss", x: steps, y: steps.map { 2.3 * pow($0, -0.9) + 0.002 }),
            LineSeries(label: "test loss", x: steps, y: steps.map { 2.3 * pow($0, -0.7) + 0.03 }, dash: .dashed),
        ], xLabel: "iteration", yLabel: "cross-entropy loss", yScale: .logarithmic)
        try render("log-line-chart", size: .inches(5, 3.5)) { canvas in chart.draw(on: canvas, in: canvas.bounds) }
    }

    @Test("line chart whose data fills every corner puts its legend outside")
    func crowdedLineChart() throws {
        let x = (0...100).map { Double($0) / 10 }
        let chart = LineChart(series: [
            LineSeries(label: "sin", x: x, y: x.map { sin($0 * 2) }),
            LineSeries(label: "cos", x: x, y: x.map { cos($0 * 2) }, dash: .dashed),
            LineSeries(label: "sin · cos", x: x, y: x.map { sin($0 * 3) * cos($0) }, showsMarkers: false),
        ], title: "Oscillations fill the plot", xLabel: "time (s)", yLabel: "amplitude")
        try render("crowded-line-chart", size: .inches(6, 3.5)) { canvas in chart.draw(on: canvas, in: canvas.bounds) }
    }

    @Test("bar chart: ImageNet top-5 error by year, depth annotated")
    func barChart() throws {
        let chart = BarChart(
            categories: ["2010\nSIFT + SVM", "2011\nFisher + SVM", "2012\nAlexNet", "2013\nAlexNet variant",
                         "2014\nVGG", "2014\nGoogLeNet", "2015\nResNet"],
            values: [28.2, 25.8, 16.4, 11.7, 8.0, 6.6, 4.5],
            annotations: ["shallow", "shallow", "8 layers", "8 layers", "19 layers", "22 layers", "152 layers"],
            valueLabels: ["28.2%", "25.8%", "16.4%", "11.7%", "8.0%", "6.6%", "4.5%"],
            colors: [0x9A9A9A, 0x9A9A9A, 0x1F77B4, 0x1F77B4, 0x1F77B4, 0x1F77B4, 0x1F77B4].map { RGBColor(hex: $0) },
            title: "ImageNet classification: top-5 error by year",
            yLabel: "top-5 error (%)")
        try render("bar-chart", size: .inches(7, 4)) { canvas in chart.draw(on: canvas, in: canvas.bounds) }
    }

    @Test("number grid: Sobel walkthrough frame with a highlighted 3x3 window")
    func numberGrid() throws {
        let input: [Double] = [100, 100, 100, 100, 100, 100,
                               100, 100, 100, 100, 100, 100,
                               100, 0, 0, 100, 100, 100,
                               0, 0, 0, 0, 0, 0,
                               0, 0, 0, 0, 0, 0]
        let kernel: [Double] = [1, 2, 1, 0, 0, 0, -1, -2, -1]
        let output: [Double] = [300, 300, 100, 0, 400, 400, 400, 400, 100, 100, 300, 400]
        let (row, column) = (0, 2)
        // The sum written out as on the slide, zero kernel entries left out: 100 = 100×1 + 100×2 + ...
        var products: [String] = []
        for i in 0..<3 {
            for j in 0..<3 {
                let k = kernel[i * 3 + j], x = input[(row + i) * 6 + column + j]
                guard k != 0 else { continue }
                products.append("\(formatNumber(x))×" + (k < 0 ? "(\(formatNumber(k)))" : formatNumber(k)))
            }
        }
        let sum = "\(formatNumber(output[row * 4 + column])) = " + products.joined(separator: " + ")
        #expect(sum == "100 = 100×1 + 100×2 + 100×1 + 0×(\u{2212}1) + 100×(\u{2212}2) + 100×(\u{2212}1)")

        try render("number-grid", size: .inches(8, 3.4)) { canvas in
            let style = canvas.style
            let area = canvas.bounds.insetBy(dx: style.margin, dy: style.margin)
            let titleHeight = canvas.measure("Input", font: style.labelFont).height + 4
            let sumHeight = canvas.measure(sum, font: style.labelFont).height + 8
            let panels = area.inset(top: titleHeight, bottom: sumHeight)
            // Widths in proportion to the number of columns, with room for the operators between panels.
            let operatorWidth = 34.0
            let unit = (panels.width - 2 * operatorWidth) / (6 + 3 + 4)
            let inputRect = Rect(x: panels.minX, y: panels.minY, width: 6 * unit, height: panels.height)
            let kernelRect = Rect(x: inputRect.maxX + operatorWidth, y: panels.minY, width: 3 * unit, height: panels.height)
            let outputRect = Rect(x: kernelRect.maxX + operatorWidth, y: panels.minY, width: 4 * unit, height: panels.height)
            let window = GridHighlight(rows: row..<(row + 3), columns: column..<(column + 3),
                                       fill: style.highlightColor.withAlpha(0.12))
            let inputLayout = canvas.numberGrid(input, rows: 5, columns: 6, in: inputRect, highlights: [window])
            let kernelLayout = canvas.numberGrid(kernel, rows: 3, columns: 3, in: kernelRect,
                                                 highlights: [GridHighlight(rows: 0..<3, columns: 0..<3,
                                                                            fill: style.highlightColor.withAlpha(0.12))])
            var outputLabels = output.map { formatNumber($0) }
            for index in (row * 4 + column + 1)..<outputLabels.count { outputLabels[index] = "" }
            let outputLayout = canvas.numberGrid(output, rows: 3, columns: 4, in: outputRect, labels: outputLabels,
                                                 highlights: [.cell(row: row, column: column,
                                                                    fill: style.highlightColor.withAlpha(0.12))])
            let cellFont = style.cellFont.withSize(22)
            canvas.text("∗", at: Point(x: inputRect.maxX + operatorWidth / 2, y: panels.center.y), font: cellFont,
                        horizontal: .center, vertical: .middle)
            canvas.text("=", at: Point(x: kernelRect.maxX + operatorWidth / 2, y: panels.center.y), font: cellFont,
                        horizontal: .center, vertical: .middle)
            for (title, layout) in [("input 5×6", inputLayout), ("kernel 3×3", kernelLayout), ("output 3×4", outputLayout)] {
                canvas.text(title, at: Point(x: layout.frame.center.x, y: layout.frame.minY - 6), font: style.labelFont,
                            horizontal: .center, vertical: .bottom)
            }
            canvas.fittedText(sum, in: Rect(x: area.minX, y: area.maxY - sumHeight + 8, width: area.width,
                                            height: sumHeight - 8), font: style.labelFont, vertical: .top)
        }
    }

    @Test("filter grid: six 5x5 filters on the diverging map with a colour bar")
    func filterGrid() throws {
        func gabor(angle: Double, wavelength: Double, phase: Double) -> [Float] {
            (0..<25).map { index in
                let x = Double(index % 5) - 2, y = Double(index / 5) - 2
                let u = x * cos(angle) + y * sin(angle)
                return Float(exp(-(x * x + y * y) / 4.5) * cos(2 * .pi * u / wavelength + phase))
            }
        }
        let filters = [gabor(angle: 0, wavelength: 4, phase: 0), gabor(angle: .pi / 4, wavelength: 4, phase: 0),
                       gabor(angle: .pi / 2, wavelength: 4, phase: 0), gabor(angle: 3 * .pi / 4, wavelength: 4, phase: 0),
                       gabor(angle: 0, wavelength: 3, phase: .pi / 2), gabor(angle: .pi / 2, wavelength: 6, phase: .pi)]
            .enumerated().map { index, f in f.map { $0 * Float(1 - 0.12 * Double(index)) } }
        let range = ValueRange.symmetricCommon(filters)
        try render("filter-grid", size: .inches(6, 3.6)) { canvas in
            let style = canvas.style
            let area = canvas.bounds.insetBy(dx: style.margin, dy: style.margin)
            let title = "conv1 filters (5×5), one shared scale: blue < 0 < red"
            let top = canvas.titleHeight(title)
            let barWidth = canvas.colorBarWidth(for: range, label: "weight")
            let grid = area.inset(top: top, right: barWidth + style.labelGap * 3)
            let layout = canvas.imageGrid(filters, imageWidth: 5, imageHeight: 5, columns: 3, in: grid,
                                          colorMap: .diverging, scaling: .symmetricCommon,
                                          captions: (1...6).map { "filter \($0)" })
            let frame = layout.frame
            canvas.colorBar(.diverging, range: range,
                            in: Rect(x: frame.maxX + style.labelGap * 3, y: frame.minY, width: barWidth,
                                     height: frame.height - layout.captionHeight),
                            label: "weight")
            canvas.drawTitle(title, over: area, top: area.minY)
        }
    }

    @Test("heatmap: a confusion matrix with counts in the cells")
    func confusionMatrix() throws {
        var counts = [Double](repeating: 0, count: 100)
        for t in 0..<10 {
            for p in 0..<10 { counts[t * 10 + p] = t == p ? Double(960 + (t * 7) % 30) : Double((t * 3 + p * 7) % 9 == 0 ? 6 : (t + p) % 3) }
        }
        let heatmap = Heatmap(values: counts, rows: 10, columns: 10, title: "LeNet-5 on MNIST: confusion matrix",
                              xLabel: "predicted digit", yLabel: "true digit")
        try render("confusion-matrix", size: .inches(5.5, 5)) { canvas in heatmap.draw(on: canvas, in: canvas.bounds) }
    }
}

@Suite("Diagram shapes and images")
struct DiagramSampleTests {
    @Test("shapes, RGB and grey images draw into every format")
    func shapesAndImages() throws {
        let dir: URL
        if let samples = ProcessInfo.processInfo.environment["CNNPLOT_SAMPLES_DIR"], !samples.isEmpty {
            dir = URL(fileURLWithPath: samples, isDirectory: true)
        } else {
            dir = try temporaryFolder("CNNPlotTests")
        }
        for format in ["png", "pdf", "svg"] {
            let path = dir.appendingPathComponent("diagram.\(format)").path
            try Canvas.write(to: path, size: .inches(6, 3)) { canvas in
                let style = canvas.style
                // A stack of feature maps drawn as offset rounded squares, then an arrow to the next layer.
                for k in (0..<4).reversed() {
                    let offset = Double(k) * 6
                    canvas.box(Rect(x: 20 + offset, y: 40 + offset, width: 90, height: 90),
                               fill: RGBColor(hex: 0xDCE9F5), stroke: RGBColor(hex: 0x1F77B4), lineWidth: 1, cornerRadius: 3)
                }
                canvas.text("C1\n6@28×28", at: Point(x: 83, y: 160), font: style.labelFont, horizontal: .center, vertical: .top)
                canvas.arrow(from: Point(x: 140, y: 100), to: Point(x: 190, y: 100), color: style.foreground)
                canvas.polygon([Point(x: 200, y: 60), Point(x: 240, y: 40), Point(x: 240, y: 140), Point(x: 200, y: 160)],
                               fill: RGBColor(hex: 0xFDE0C5), stroke: RGBColor(hex: 0xFF7F0E))
                canvas.line(from: Point(x: 20, y: 20), to: Point(x: 250, y: 20), color: style.mutedForeground, dash: .dashed)
                canvas.line(from: Point(x: 20, y: 28), to: Point(x: 250, y: 28), color: style.mutedForeground,
                            lineWidth: 1.5, dash: .dotted)
                canvas.arrow(from: Point(x: 120, y: 190), to: Point(x: 230, y: 190), color: style.highlightColor,
                             lineWidth: 1.5, dash: .dashDot, bothEnds: true)
                // Images: an RGB gradient and a grey ramp, then a rotated label.
                let n = 8
                let red = (0..<n * n).map { Float($0 % n) / Float(n - 1) }
                let green = (0..<n * n).map { Float($0 / n) / Float(n - 1) }
                let blue = [Float](repeating: 0.4, count: n * n)
                canvas.imageGrid([red + green + blue, green + red + blue], imageWidth: n, imageHeight: n, channels: 3,
                                 columns: 2, in: Rect(x: 270, y: 30, width: 130, height: 80), captions: ["RGB", "swapped"])
                canvas.image((0..<n * n).map { Float($0) }, width: n, height: n,
                             in: Rect(x: 300, y: 130, width: 70, height: 70), colorMap: .greys, border: .black)
                canvas.text("rotated label", at: Point(x: 420, y: 110), font: style.labelFont,
                            horizontal: .center, vertical: .top, angle: .pi / 2)
            }
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }
}
