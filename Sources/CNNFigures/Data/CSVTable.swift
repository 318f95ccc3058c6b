// The small editable tables figures read (`data/imagenet_history.csv`, the lecture's results tables):
// comma-separated values with a header line, double quotes around fields that hold commas, and
// `# key: value` comment lines for a title and similar facts.

import CNNEngine
import Foundation

/// A CSV file read into a header, rows of fields and the `# key: value` lines above them.
public struct CSVTable: Sendable, Equatable {
    /// The file it was read from, for error messages.
    public var path: String
    /// `# key: value` lines, keys lowercased (`title`, `dataset`).
    public var metadata: [String: String]
    /// The column names of the header line.
    public var header: [String]
    /// The data rows, each as long as the header.
    public var rows: [[String]]
    /// The line number (from 1) of each row in the file, for error messages.
    public var lineNumbers: [Int]

    /// Reads and parses `path`.
    /// - Throws: `ConfigurationError` naming the file when it is missing, has no header, or a row has the wrong field count.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("\(path): no such table file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(path): not a UTF-8 text file")
        }
        try self.init(text: text, path: path)
    }

    /// Parses CSV `text`; `path` names it in errors.
    public init(text: String, path: String = "table") throws {
        self.path = path
        metadata = [:]
        header = []
        rows = []
        lineNumbers = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
                if let colon = body.firstIndex(of: ":") {
                    metadata[body[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
                        body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                continue
            }
            let fields = try CSVTable.fields(of: line, path: path, line: offset + 1)
            if header.isEmpty {
                header = fields
                continue
            }
            guard fields.count == header.count else {
                throw ConfigurationError("\(path), line \(offset + 1): \(fields.count) fields, but the header has \(header.count) (\(header.joined(separator: ", ")))")
            }
            rows.append(fields)
            lineNumbers.append(offset + 1)
        }
        guard !header.isEmpty else { throw ConfigurationError("\(path): no header line") }
    }

    /// The index of the first column whose name contains `word` (case-insensitive).
    public func column(containing word: String) -> Int? {
        header.firstIndex { $0.lowercased().contains(word.lowercased()) }
    }

    /// The index of the column whose name contains `word`.
    /// - Throws: `ConfigurationError` naming the file and its columns when there is none.
    public func requireColumn(containing word: String) throws -> Int {
        guard let index = column(containing: word) else {
            throw ConfigurationError("\(path): no column named like \"\(word)\"; its columns: \(header.joined(separator: ", "))")
        }
        return index
    }

    /// The number in `row` at `column`.
    /// - Throws: `ConfigurationError` naming the file, line and column when the field is not a number.
    public func number(row: Int, column: Int) throws -> Double {
        let text = rows[row][column].replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)
        guard let value = Double(text) else {
            throw ConfigurationError("\(path), line \(lineNumbers[row]): \(header[column]) \"\(rows[row][column])\" is not a number")
        }
        return value
    }

    /// Splits one line at commas outside double quotes; `""` inside quotes is a quote.
    static func fields(of line: String, path: String, line number: Int) throws -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var characters = Array(line)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { current.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
        }
        guard !quoted else { throw ConfigurationError("\(path), line \(number): a quoted field is not closed") }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
