// The course report: a title page, the catalogue figures grouped as in FIGURES.md with captions,
// the results and benchmark tables, and the commands that regenerate every figure. Every value
// comes from the suite's own files.
import CNNModels
import CNNStore
import Foundation

/// One figure placed in the report, with the command that makes it on its own.
public struct ReportFigure {
    public var figure: any Figure
    public var frame: Int
    public var caption: String
    public var command: String
    public init(figure: any Figure, frame: Int = 0, caption: String, command: String) {
        self.figure = figure; self.frame = frame; self.caption = caption; self.command = command
    }

    /// The file name, without extension, that the regenerate command writes (`--out figures/A7-alexnet.pdf`
    /// gives "A7-alexnet"); a suite's figure folder uses the same names.
    public var fileStem: String? {
        let words = command.split(separator: " ")
        guard let i = words.firstIndex(of: "--out"), i + 1 < words.count else { return nil }
        let name = (String(words[i + 1]) as NSString).lastPathComponent
        return (name as NSString).deletingPathExtension
    }
}

/// Builds a suite's PDF report.
public enum CourseReport {
    /// The catalogue groups, as FIGURES.md names them.
    public static let groups: [(prefix: String, title: String, lecture: String)] = [
        ("A", "A. Convolution arithmetic, worked by hand", "CSC321 lecture 6, the CNN overview lecture, ML in Python, CIS 522"),
        ("B", "B. Classic kernels on real photographs", "CSC321 lecture 6 and the CNN overview lecture"),
        ("C", "C. What networks learn", "CSC321 notebook demos; Krizhevsky et al. 2012; Zeiler and Fergus 2014"),
        ("D", "D. Architectures", "LeCun et al. 1998; He et al. 2015; Huang et al. 2017"),
        ("E", "E. Training and depth", "CSC321 lecture 4, the CNN overview lecture, CIS 522; He et al. 2015"),
        ("F", "F. Data", "the ML in Python lecture"),
    ]

    /// Writes the report of `results` (a suite's folder) to `path`, with the given figures.
    /// - Returns: the number of pages.
    @discardableResult
    public static func write(results: SuiteResults, figures: [String: [ReportFigure]], notes: [String] = [], otherModels: [String] = [],
                             to path: String) throws -> Int {
        let doc = try ReportDocument(path: path, footer: "CNNBench \(results.toolkitVersion) · suite \(results.suite) · \(results.created.prefix(10))")
        let finished = results.runs.filter { $0.status == "finished" }
        try doc.titlePage(
            title: "CNNBench course report: \(results.suite)",
            subtitle: results.description.isEmpty ? "Convolutional networks, measured." : results.description,
            facts: [("Suite", results.suite), ("Date", results.created), ("Machine", results.machine),
                    ("Toolkit", "CNNBench \(results.toolkitVersion)"),
                    ("Runs", counted(finished.count, "trained model") + (results.runs.count > finished.count ? ", \(results.runs.count - finished.count) failed or interrupted" : "")
                        + otherModels.map { ", and " + $0 }.joined()),
                    ("Figures", counted(distinctFigureCount(figures), "figure") + ", drawn from this run's files, the engine and the "
                        + "toolkit's shipped tables and depth study; each caption says which")])

        if !results.runs.isEmpty {
            try doc.heading("Results of this run")
            // One data set for every run: said once above the table, so the run names keep their room.
            let datasets = Set(results.runs.map(\.dataset))
            let oneDataset = datasets.count == 1 ? datasets.first : nil
            try doc.paragraph("Each row is one training run of the suite" + (oneDataset.map { ", all on \($0)" } ?? "") + ". Errors are on the data set's test split. The best epoch is chosen on the validation split held out of the training images (never on the test set), and its test error is shown; a run without a validation split shows its last epoch. Seconds are training wall time (evaluation excluded).")
            var header = ["run", "model", "data", "params", "epochs", "test\nerror", "at best val.\n(epoch)", "train\nerror", "seconds", "img/s"]
            var rows = results.runs.map { r in
                [r.name, r.model, r.dataset, groupedThousands(r.parameters), String(r.epochs), percent(r.testError),
                 r.bestTestError.isNaN ? "-" : "\(percent(r.bestTestError)) (\(r.bestEpoch))", percent(r.finalTrainError),
                 String(format: "%.1f", r.seconds), rate(r.imagesPerSecond)]
            }
            var numeric: Set<Int> = [3, 4, 5, 7, 8, 9]
            if oneDataset != nil {
                header.remove(at: 2)
                rows = rows.map { var row = $0; row.remove(at: 2); return row }
                numeric = Set(numeric.map { $0 - 1 })
            }
            try doc.table(header, rows, numeric: numeric)
            for r in results.runs where r.status != "finished" { try doc.paragraph("\(r.name): \(r.status)", font: nil, color: nil) }
        }
        if !results.timings.isEmpty {
            try doc.heading("Benchmarks", level: 2)
            try doc.paragraph("A training step (forward, loss, backward, SGD update) on a fixed random batch, median of the timed iterations after a warm-up; GFLOP/s counts 6 flops a multiply-add of the convolutions and dense layers. “other” is the CPU time other processes used during the measurement (near 0 is a clean run).")
            try doc.table(["model", "batch", "threads", "img/s", "step\nms", "GFLOP/s", "peak\nMB", "other"],
                          results.timings.map { t in
                              [t.model, String(t.batch), String(t.threads), rate(t.imagesPerSecond),
                               String(format: "%.2f", t.stepMilliseconds), String(format: "%.1f", t.gflops),
                               t.peakMemoryBytes.map { String(format: "%.0f", Double($0) / 1e6) } ?? "-", String(format: "%.2f", t.otherProcessCores)]
                          }, numeric: [1, 2, 3, 4, 5, 6, 7])
        }
        for note in notes { try doc.paragraph(note) }

        for group in groups {
            // Catalogue order (the one list), then anything else the caller drew.
            let ids = (CatalogueIDs.all + figures.keys.filter { !CatalogueIDs.all.contains($0) }.sorted())
                .filter { $0.hasPrefix(group.prefix) && figures[$0] != nil }
            guard !ids.isEmpty else { continue }
            // Each figure on a page of its own size (projectable as it is); the section's heading above its first.
            // In the order of the figures' own ids (E5 is drawn with E3 but follows E4), stable within an id.
            let items = ids.flatMap { figures[$0] ?? [] }.enumerated()
                .sorted { ($0.element.figure.catalogueID, $0.offset) < ($1.element.figure.catalogueID, $1.offset) }.map(\.element)
            for (index, item) in items.enumerated() {
                try doc.figurePage(item.figure, frame: item.frame, caption: "\(item.figure.catalogueID). \(item.caption)",
                                   heading: index == 0 ? group.title : nil, source: index == 0 ? "From: \(group.lecture)." : nil)
            }
        }
        // One line per command: two frames of one figure (A1's first step and its whole output) share theirs.
        var commands: [String] = []
        for id in figures.keys.sorted() {
            for line in (figures[id] ?? []).map({ "\($0.figure.catalogueID): \($0.command)" }) where !commands.contains(line) {
                commands.append(line)
            }
        }
        if !commands.isEmpty || !results.commands.isEmpty {
            try doc.newPage()
            try doc.heading("Regenerating this report")
            try doc.paragraph("The suite was run with:")
            try doc.commands(results.commands)
            if !commands.isEmpty {
                try doc.paragraph("Each figure on its own (from the suite's folder; none retrains a model):")
                try doc.commands(commands)
            }
        }
        try doc.finish()
        return doc.pageNumber
    }

    /// Figures counted once each, however many of their frames the report shows (A1 shows two).
    static func distinctFigureCount(_ figures: [String: [ReportFigure]]) -> Int {
        figures.values.reduce(0) { total, list in
            total + Set(list.enumerated().map { $0.element.fileStem ?? "#\($0.offset)" }).count
        }
    }

    /// Images per second as a whole number with grouped thousands ("265,819"); "-" when not measured.
    static func rate(_ x: Double) -> String { x.isFinite && x >= 0 ? groupedThousands(Int(x.rounded())) : "-" }

    static func percent(_ x: Double) -> String { x.isNaN ? "-" : String(format: "%.2f%%", x * 100) }

}
