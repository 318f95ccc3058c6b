// The engine's switches in the environment (CNNBENCH_DIRECT_CONV, CNNBENCH_WINOGRAD, CNNBENCH_TAP_GEMM,
// CNNBENCH_GEMM): each
// takes a few words, and any other word is an error that names the variable and the words it takes.
import Foundation

/// An environment variable that chooses one of a few values by name.
struct EnvironmentSwitch<Value: Sendable>: Sendable {
    let name: String
    /// The value when the variable is unset or empty.
    let unset: Value
    /// Each accepted word (lower case) and its value.
    let words: [(word: String, value: Value)]
    /// The accepted words as a sentence ends them: "1 (or on, or unset) or 0 (or off)".
    let expected: String

    /// A switch that is on when unset, `1` or `on`, and off when `0` or `off`.
    static func onOff(_ name: String) -> EnvironmentSwitch<Bool> where Value == Bool {
        EnvironmentSwitch(name: name, unset: true, words: [("1", true), ("on", true), ("0", false), ("off", false)],
                          expected: "1 (or on, or unset) or 0 (or off)")
    }

    /// The value `environment` chooses.
    /// - Throws: `ConfigurationError` naming the variable, the words it takes and the word given.
    func value(in environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Value {
        guard let given = environment[name], !given.isEmpty else { return unset }
        guard let match = words.first(where: { $0.word == given.lowercased() }) else {
            throw ConfigurationError("\(name) must be \(expected); got \"\(given)\"")
        }
        return match.value
    }

    /// The process's value: a bad word is reported once on standard error, saying what is used instead
    /// (the command-line tools refuse it at start-up before any work).
    func valueOfProcess(instead: String) -> Value {
        do { return try value() } catch {
            FileHandle.standardError.write(Data("cnnbench: \(error); \(instead)\n".utf8))
            return unset
        }
    }
}
