import CNNPlot
import Testing

@Suite("Legend placement")
struct LegendTests {
    let plot = Rect(x: 0, y: 0, width: 400, height: 300)
    let legend = Size(width: 100, height: 50)

    /// Points filling the plot except one corner's legend box.
    private func pointsAvoiding(_ corner: Corner) -> [Point] {
        let free = legendRect(size: legend, corner: corner, in: plot).insetBy(dx: -10, dy: -10)
        var points: [Point] = []
        for x in stride(from: 0.0, through: 400, by: 10) {
            for y in stride(from: 0.0, through: 300, by: 10) where !free.contains(Point(x: x, y: y)) {
                points.append(Point(x: x, y: y))
            }
        }
        return points
    }

    @Test("the legend goes to the only empty corner", arguments: Corner.allCases)
    func picksEmptyCorner(corner: Corner) {
        let best = emptiestCorner(for: legend, in: plot, avoiding: pointsAvoiding(corner))
        #expect(best.corner == corner)
        #expect(best.covered == 0)
    }

    @Test("a falling training curve leaves the top right free")
    func fallingCurve() {
        // Loss from the top left down to the bottom, as in most training curves.
        let points = stride(from: 0.0, through: 400, by: 2).map { x in Point(x: x, y: 300 - 280 * 1 / (1 + x / 40)) }
        let best = emptiestCorner(for: legend, in: plot, avoiding: points)
        #expect(best.corner == .topRight)
        #expect(best.covered == 0)
    }

    @Test("a rising curve pushes the legend to the top left")
    func risingCurve() {
        let points = stride(from: 0.0, through: 400, by: 2).map { x in Point(x: x, y: 20 + 280 / (1 + x / 40)) }
        let best = emptiestCorner(for: legend, in: plot, avoiding: points)
        #expect(best.corner == .topRight || best.corner == .topLeft)
        #expect(best.covered == 0)
        let box = legendRect(size: legend, corner: best.corner, in: plot)
        #expect(!points.contains { box.contains($0) })
    }

    @Test("with data everywhere, the corner covering the fewest points wins")
    func fewestPoints() {
        var points = pointsAvoiding(.bottomLeft)
        points.append(contentsOf: [Point(x: 30, y: 270), Point(x: 40, y: 265)])
        let best = emptiestCorner(for: legend, in: plot, avoiding: points)
        #expect(best.corner == .bottomLeft)
        #expect(best.covered == 2)
    }
}
