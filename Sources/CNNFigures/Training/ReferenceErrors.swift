// Published test errors drawn beside the toolkit's own (LeCun et al. 1998 for MNIST), read from an
// editable table so a teacher can change or add them.

import CNNEngine
import Foundation

/// A published error rate to compare with: a label and a percentage.
public struct ReferenceError: Sendable, Equatable {
    public var label: String
    /// Test error in percent.
    public var percent: Double

    public init(label: String, percent: Double) {
        self.label = label
        self.percent = percent
    }

    /// The file shipped with the toolkit: LeNet-5's MNIST errors from LeCun et al. 1998.
    public static let defaultFile = "data/mnist_reference_errors.csv"

    /// Reads a table with a label column and an error column (`label,error_percent`).
    /// - Throws: `ConfigurationError` naming the file and line for a missing file or a bad number.
    public static func read(from path: String) throws -> [ReferenceError] {
        let table = try CSVTable(contentsOf: path)
        let label = try table.requireColumn(containing: "label"), error = try table.requireColumn(containing: "error")
        return try table.rows.indices.map { row in
            ReferenceError(label: table.rows[row][label], percent: try table.number(row: row, column: error))
        }
    }
}
