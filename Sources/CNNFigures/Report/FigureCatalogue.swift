// Which figure each catalogue id stands for in a suite's report, drawn from the suite's own files.
import CNNStore
import Foundation

/// Finds the model files of a suite's runs and makes each catalogue figure from them.
public enum FigureCatalogue {
    /// The model file of the first finished run of `model` (or of any model passing `matches`).
    static func modelFile(_ results: SuiteResults, folder: URL, where matches: (String) -> Bool) -> URL? {
        results.runs.first { $0.status == "finished" && matches($0.model) }
            .map { folder.appendingPathComponent($0.modelFile) }
    }

    /// The figures for catalogue id `id`, or an explanation of why none can be drawn from this suite.
    public static func figures(for id: String, results: SuiteResults, folder: URL) throws -> Result<[ReportFigure], Unavailable> {
        .failure(Unavailable(reason: "figure \(id) is not available in this build"))
    }

    /// Why a figure is missing from a report.
    public struct Unavailable: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }
}

/// Makes a suite's figures (PNG and PDF under FOLDER/figures/) and its report.
public enum ReportBuilder {
    /// Draws every figure the suite asks for and writes the report to `reportPath` (if any).
    /// - Returns: the paths written.
    @discardableResult
    public static func make(results: SuiteResults, folder: URL, reportPath: String?, log: (String) -> Void = { print($0) }) throws -> [String] {
        var figures: [String: [ReportFigure]] = [:]
        var notes: [String] = []
        var written: [String] = []
        let figureFolder = folder.appendingPathComponent("figures")
        try FileManager.default.createDirectory(at: figureFolder, withIntermediateDirectories: true)
        for id in results.figures {
            switch try FigureCatalogue.figures(for: id, results: results, folder: folder) {
            case .success(let list):
                figures[id] = list
                for (i, item) in list.enumerated() {
                    let stem = figureFolder.appendingPathComponent(list.count > 1 ? "\(id)-\(i + 1)" : id).path
                    written += try item.figure.write(to: stem + ".png")
                    written += try item.figure.write(to: stem + ".pdf")
                }
            case .failure(let why):
                notes.append("Figure \(id) is not in this report: \(why.reason).")
                log("figure \(id) skipped: \(why.reason)")
            }
        }
        if let reportPath {
            try FileManagerShim.createParent(of: reportPath)
            let pages = try CourseReport.write(results: results, figures: figures, notes: notes, to: reportPath)
            log("report: \(reportPath) (\(pages) pages)")
            written.append(reportPath)
        }
        return written
    }
}
