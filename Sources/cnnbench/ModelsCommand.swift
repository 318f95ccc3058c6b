import ArgumentParser
import CNNModels

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the model zoo, one line per model.")

    func run() throws {
        let width = ModelZoo.entries.map(\.name.count).max() ?? 0
        for entry in ModelZoo.entries {
            let input = entry.defaultInput.map(String.init).joined(separator: "x")
            print("\(entry.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(input.padding(toLength: 9, withPad: " ", startingAt: 0))  \(entry.summary)")
        }
    }
}
