// Many tasks using HDF5 at once: the global lock keeps the serial library consistent.
import CNNStore
import Foundation
import Testing

@Test func concurrentTasksWriteAndReadTheirOwnFilesAndShareOne() async throws {
    let scratch = try ScratchDirectory()
    let shared = try HDF5File(creating: scratch.file("shared.h5"))
    let directory = scratch.url
    let sums = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
        for task in 0..<8 {
            group.addTask {
                let url = directory.appendingPathComponent("task_\(task).h5")
                let values = (0..<3000).map { Double($0 + task) }
                try HDF5File.writeAtomically(to: url) { file in
                    try file.write(values, shape: [30, 100], to: "values")
                }
                try shared.write(values.map { Float($0) }, shape: [3000], to: "tasks/\(task)")
                try shared.group("tasks/").setAttribute("last_\(task)", to: task)
                let read = try HDF5File(opening: url).read(Double.self, at: "values", expectedShape: [30, 100])
                return (task, read.values.reduce(0, +))
            }
        }
        var sums: [Int: Double] = [:]
        for try await (task, sum) in group { sums[task] = sum }
        return sums
    }
    for task in 0..<8 {
        #expect(sums[task] == Double(2999 * 3000 / 2 + 3000 * task))
        #expect(try shared.read(Float.self, at: "tasks/\(task)").values.first == Float(task))
    }
    #expect(try shared.group("tasks").childNames().count == 8)
    #expect(try shared.group("tasks").attributeNames().count == 8)
}
