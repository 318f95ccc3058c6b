// Suites: YAML (or JSON) files that say which models to train on which data with which recipes,
// what to time, which figures to draw and which report to write. Validated before anything runs,
// with errors that name the file, the line and the key.
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation
import Yams

/// A mistake in a suite file, with its place.
public struct SuiteError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let message: String
    public var description: String { line.map { "\(file), line \($0): \(message)" } ?? "\(file): \(message)" }
}

/// One training run of a suite.
public struct SuiteEntry: Sendable, Equatable {
    /// The run's folder name under the suite's output folder (`lenet5-mnist-s0`).
    public var name: String
    public var model: String
    public var source: DataSource
    public var recipe: TrainingRecipe
}

/// What a suite times.
public struct TimingPlan: Sendable, Equatable {
    public var models: [String]
    public var batch: Int?
    public var threads: [Int]
    public var iterations: Int
}

/// A parsed, validated suite.
public struct Suite: Sendable {
    public var name: String
    public var description: String
    public var entries: [SuiteEntry]
    public var timing: TimingPlan?
    /// Catalogue ids of the figures to draw (`all` expands to every one).
    public var figures: [String]
    /// Where the report goes (relative to the working directory), or nil for none.
    public var report: String?
    /// Colour filters learned from the shipped photographs by sparse coding (`sparse_filters:`), into
    /// `<suite folder>/sparse-filters/model.h5`, or nil for none.
    public var sparseFilters: SparseFilterRecipe?

    /// Every catalogue figure id, in catalogue order (the one list, `CatalogueIDs.all`).
    public static var allFigures: [String] { CatalogueIDs.all }

    static let runKeys: Set<String> = ["model", "name", "dataset", "data_dir", "epochs", "batch_size", "optimizer", "lr", "momentum",
                                       "nesterov", "weight_decay", "schedule", "warmup", "augment", "label_smoothing", "seed", "seeds",
                                       "validation", "train_limit", "downsample", "zero_init_residual"]
    static let topKeys: Set<String> = ["name", "description", "defaults", "runs", "grid", "timing", "figures", "report", "sparse_filters"]
    static let sparseFilterKeys: Set<String> = ["filters", "size", "patches", "steps", "sparsity", "lr", "seed"]
    /// The run folder of the sparse filters under the suite's folder.
    public static let sparseFiltersFolder = "sparse-filters"

    /// Finds a suite by name in `suites/` (`lecture` -> `suites/lecture.yaml`) or takes a path.
    public static func locate(_ nameOrPath: String, suitesFolder: String = "suites") -> String {
        if FileManager.default.fileExists(atPath: nameOrPath) { return nameOrPath }
        for ext in ["yaml", "yml", "json"] {
            let candidate = "\(suitesFolder)/\(nameOrPath).\(ext)"
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nameOrPath
    }

    /// Reads and validates a suite file.
    /// - Parameter dataDirectory: `--data-dir`, applied to runs that give none.
    /// - Throws: `SuiteError` naming the file, line and key of the first problem.
    public static func load(from path: String, dataDirectory: String? = nil) throws -> Suite {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: "suites"))?.filter { $0.hasSuffix(".yaml") }.sorted() ?? []
            throw SuiteError(file: path, line: nil, message: "no such suite file" + (known.isEmpty ? "" : "; suites here: \(known.joined(separator: ", "))"))
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw SuiteError(file: path, line: nil, message: "not valid YAML: \(error)")
        }
        guard let root, case .mapping(let top) = root else {
            throw SuiteError(file: path, line: root?.mark?.line, message: "a suite is a mapping with keys runs, grid, timing, figures, report")
        }
        let parser = SuiteParser(file: path, dataDirectory: dataDirectory)
        try parser.checkKeys(top, allowed: topKeys, context: "the suite")
        let name = try parser.string(top["name"], key: "name") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let description = try parser.string(top["description"], key: "description") ?? ""
        var defaults: [String: Node] = [:]
        if let node = top["defaults"] {
            guard case .mapping(let m) = node else { throw parser.error(node, "defaults must be a mapping of run keys") }
            try parser.checkKeys(m, allowed: runKeys.subtracting(["model"]), context: "defaults")
            for (k, v) in m { if let key = k.string { defaults[key] = v } }
        }
        var entries: [SuiteEntry] = []
        if let node = top["runs"] {
            guard case .sequence(let list) = node else { throw parser.error(node, "runs must be a list of runs (- model: lenet5 ...)") }
            for (i, item) in list.enumerated() {
                guard case .mapping(let m) = item else { throw parser.error(item, "run \(i + 1) must be a mapping with at least a model") }
                try parser.checkKeys(m, allowed: runKeys, context: "run \(i + 1)")
                var keys = defaults
                for (k, v) in m { if let key = k.string { keys[key] = v } }
                entries += try parser.entries(keys, context: "run \(i + 1)", at: item)
            }
        }
        if let node = top["grid"] {
            guard case .mapping(let m) = node else { throw parser.error(node, "grid must be a mapping with models: [...]") }
            try parser.checkKeys(m, allowed: runKeys.union(["models"]).subtracting(["model"]), context: "grid")
            guard let models = m["models"] else { throw parser.error(node, "grid needs models: [a list of zoo models]") }
            for model in try parser.strings(models, key: "grid.models") {
                var keys = defaults
                for (k, v) in m where k.string != "models" { if let key = k.string { keys[key] = v } }
                keys["model"] = Node(model)
                entries += try parser.entries(keys, context: "grid model \(model)", at: node)
            }
        }
        let names = entries.map(\.name)
        if let duplicate = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw SuiteError(file: path, line: nil, message: "two runs would share the folder \"\(duplicate)\": give one a different name or seed")
        }
        var timing: TimingPlan?
        if let node = top["timing"] {
            guard case .mapping(let m) = node else { throw parser.error(node, "timing must be a mapping with models: [...]") }
            try parser.checkKeys(m, allowed: ["models", "batch", "threads", "iterations"], context: "timing")
            let models = try m["models"].map { try parser.strings($0, key: "timing.models") } ?? []
            for model in models { try parser.checkModel(model, node: m["models"]!) }
            timing = TimingPlan(models: models, batch: try parser.int(m["batch"], key: "timing.batch", minimum: 1),
                                threads: try m["threads"].map { try parser.ints($0, key: "timing.threads", minimum: 1) } ?? [Parallel.threadCount],
                                iterations: try parser.int(m["iterations"], key: "timing.iterations", minimum: 1) ?? 10)
        }
        var figures: [String] = []
        if let node = top["figures"] {
            if node.string == "all" { figures = allFigures } else if node.string == "none" { figures = [] } else {
                figures = try parser.strings(node, key: "figures").map { $0.uppercased() }
                if let bad = figures.first(where: { !allFigures.contains($0) }) {
                    throw parser.error(node, "figures: unknown catalogue id \"\(bad)\"; use all, none, or ids from \(allFigures.joined(separator: ", "))")
                }
            }
        }
        let report = try parser.string(top["report"], key: "report")
        var sparseFilters: SparseFilterRecipe?
        if let node = top["sparse_filters"] {
            var recipe = SparseFilterRecipe()
            if let on = node.bool {
                sparseFilters = on ? recipe : nil
            } else {
                guard case .mapping(let m) = node else { throw parser.error(node, "sparse_filters must be true or a mapping of \(sparseFilterKeys.sorted().joined(separator: ", "))") }
                try parser.checkKeys(m, allowed: sparseFilterKeys, context: "sparse_filters")
                if let v = try parser.int(m["filters"], key: "sparse_filters.filters", minimum: 1) { recipe.filters = v }
                if let v = try parser.int(m["size"], key: "sparse_filters.size", minimum: 2) { recipe.size = v }
                if let v = try parser.int(m["patches"], key: "sparse_filters.patches", minimum: 1) { recipe.patches = v }
                if let v = try parser.int(m["steps"], key: "sparse_filters.steps", minimum: 1) { recipe.steps = v }
                if let v = try parser.double(m["sparsity"], key: "sparse_filters.sparsity", minimum: 0) { recipe.sparsity = v }
                if let v = try parser.double(m["lr"], key: "sparse_filters.lr", minimum: 1e-12) { recipe.learningRate = v }
                if let v = try parser.int(m["seed"], key: "sparse_filters.seed", minimum: 0) { recipe.seed = UInt64(v) }
                do { try recipe.validate() } catch { throw parser.error(node, "sparse_filters: \(error)") }
                sparseFilters = recipe
            }
        }
        guard !entries.isEmpty || timing != nil || !figures.isEmpty || sparseFilters != nil else {
            throw SuiteError(file: path, line: nil, message: "the suite has nothing to do: give runs, grid, timing or figures")
        }
        return Suite(name: name, description: description, entries: entries, timing: timing, figures: figures, report: report,
                     sparseFilters: sparseFilters)
    }
}

/// Reads typed values out of YAML nodes, throwing errors with the node's line.
struct SuiteParser {
    let file: String
    let dataDirectory: String?

    func error(_ node: Node, _ message: String) -> SuiteError { SuiteError(file: file, line: node.mark?.line, message: message) }

    func checkKeys(_ mapping: Node.Mapping, allowed: Set<String>, context: String) throws {
        for (key, _) in mapping {
            guard let name = key.string, allowed.contains(name) else {
                let guess = allowed.min { editDistance($0, key.string ?? "") < editDistance($1, key.string ?? "") }
                throw error(key, "unknown key \"\(key.string ?? "?")\" in \(context)" + (guess.map { " (did you mean \"\($0)\"?)" } ?? "")
                            + "; known keys: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    /// A run's name is its folder under the suite's: a plain name, so that no run writes outside that folder.
    func checkRunName(_ name: String, node: Node) throws {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\\"), !name.hasPrefix("."),
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw error(node, "name must be a plain folder name (letters, digits, - and _; no /, no leading dot), got \"\(name)\"")
        }
    }

    /// A data set is a known name or an existing folder; found when the suite is read, not when its run starts.
    func checkDataSet(_ source: DataSource, node: Node) throws {
        guard case .folder = source.name else { return }
        do { _ = try source.folder() } catch { throw self.error(node, "\(error)") }
    }

    func checkModel(_ model: String, node: Node) throws {
        do { _ = try ModelZoo.entry(named: model) } catch { throw self.error(node, "\(error)") }
    }

    func string(_ node: Node?, key: String) throws -> String? {
        guard let node else { return nil }
        guard let s = node.string, case .scalar = node else { throw error(node, "\(key) must be text") }
        return s
    }

    func int(_ node: Node?, key: String, minimum: Int) throws -> Int? {
        guard let node else { return nil }
        guard let v = node.int, v >= minimum else { throw error(node, "\(key) must be a whole number of at least \(minimum), got \(node.string ?? "a list")") }
        return v
    }

    func double(_ node: Node?, key: String, minimum: Double) throws -> Double? {
        guard let node else { return nil }
        guard let v = node.float.map({ Double($0) }) ?? node.int.map({ Double($0) }), v >= minimum else {
            throw error(node, "\(key) must be a number of at least \(minimum), got \(node.string ?? "a list")")
        }
        return v
    }

    func bool(_ node: Node?, key: String) throws -> Bool? {
        guard let node else { return nil }
        if let b = node.bool { return b }
        switch node.string?.lowercased() { case "on": return true; case "off": return false; default: break }
        throw error(node, "\(key) must be true or false (or on/off), got \(node.string ?? "a list")")
    }

    func strings(_ node: Node, key: String) throws -> [String] {
        if case .scalar = node, let s = node.string { return [s] }
        guard case .sequence(let list) = node else { throw error(node, "\(key) must be a list") }
        return try list.map { item in
            guard let s = item.string, case .scalar = item else { throw error(item, "\(key) must list plain names") }
            return s
        }
    }

    func ints(_ node: Node, key: String, minimum: Int) throws -> [Int] {
        if case .scalar = node { return [try int(node, key: key, minimum: minimum)!] }
        guard case .sequence(let list) = node else { throw error(node, "\(key) must be a list of whole numbers") }
        return try list.map { try int($0, key: key, minimum: minimum)! }
    }

    /// The runs one mapping of run keys stands for (one per seed).
    func entries(_ keys: [String: Node], context: String, at node: Node) throws -> [SuiteEntry] {
        guard let modelNode = keys["model"], let model = try string(modelNode, key: "model") else {
            throw error(node, "\(context) needs a model")
        }
        try checkModel(model, node: modelNode)
        var overrides = RecipeOverrides()
        overrides.epochs = try int(keys["epochs"], key: "epochs", minimum: 1)
        overrides.batchSize = try int(keys["batch_size"], key: "batch_size", minimum: 1)
        if let node = keys["optimizer"] {
            do { overrides.optimizer = try .named(node.string ?? "") } catch { throw self.error(node, "\(error)") }
        }
        overrides.learningRate = try double(keys["lr"], key: "lr", minimum: 1e-12)
        overrides.momentum = try double(keys["momentum"], key: "momentum", minimum: 0)
        overrides.nesterov = try bool(keys["nesterov"], key: "nesterov")
        overrides.weightDecay = try double(keys["weight_decay"], key: "weight_decay", minimum: 0)
        overrides.schedule = keys["schedule"].map { $0.string ?? "" }
        overrides.warmupEpochs = try double(keys["warmup"], key: "warmup", minimum: 0)
        overrides.augment = try bool(keys["augment"], key: "augment")
        overrides.labelSmoothing = try double(keys["label_smoothing"], key: "label_smoothing", minimum: 0)
        overrides.validationCount = try int(keys["validation"], key: "validation", minimum: 0)
        overrides.trainLimit = try int(keys["train_limit"], key: "train_limit", minimum: 1)
        overrides.downsample = try int(keys["downsample"], key: "downsample", minimum: 1)
        overrides.zeroInitResidual = try bool(keys["zero_init_residual"], key: "zero_init_residual")
        var recipe: TrainingRecipe
        do { recipe = try overrides.applied(to: TrainingRecipe.defaults(for: model)) } catch let failure as RecipeOverrides.Failure {
            if failure.key == "schedule", let at = keys["schedule"] { throw self.error(at, failure.description) }
            throw self.error(node, "\(context): \(failure.description)")
        }
        // Zero-initialised residual branches are recorded only for a model that has them.
        if recipe.zeroInitResidual { recipe = recipe.fitted(to: try ModelZoo.spec(model).build()) }
        let dataset = try string(keys["dataset"], key: "dataset") ?? "mnist"
        let source = DataSource(name: dataset, directory: try string(keys["data_dir"], key: "data_dir") ?? dataDirectory)
        var seeds: [UInt64] = [0]
        if let node = keys["seeds"] { seeds = try ints(node, key: "seeds", minimum: 0).map(UInt64.init) }
        if let v = try int(keys["seed"], key: "seed", minimum: 0) { seeds = [UInt64(v)] }
        let base = try string(keys["name"], key: "name") ?? "\(model)-\(dataset.replacingOccurrences(of: "/", with: "_"))"
        if let nameNode = keys["name"] { try checkRunName(base, node: nameNode) }
        try checkDataSet(source, node: keys["dataset"] ?? node)
        return seeds.map { seed in
            var r = recipe
            r.seed = seed
            return SuiteEntry(name: seeds.count > 1 || keys["seed"] != nil ? "\(base)-s\(seed)" : base, model: model, source: source, recipe: r)
        }
    }
}

/// Levenshtein distance, to suggest the key a user meant.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in 1...max(b.count, 1) where !b.isEmpty {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[b.count]
}

extension LearningRateSchedule.Decay {
    /// Parses constant, cosine, step:S:G, multistep:E1,E2:G.
    public static func parse(_ text: String, epochs: Int) throws -> LearningRateSchedule.Decay {
        let parts = text.lowercased().split(separator: ":").map(String.init)
        switch parts.first {
        case "constant" where parts.count == 1: return .constant
        case "cosine" where parts.count == 1: return .cosine(epochs: epochs, minimum: 0)
        case "step" where parts.count == 3:
            if let size = Int(parts[1]), let gamma = Double(parts[2]), size > 0 { return .step(stepSize: size, gamma: gamma) }
        case "multistep" where parts.count == 3:
            let milestones = parts[1].split(separator: ",").compactMap { Int($0) }
            if !milestones.isEmpty, let gamma = Double(parts[2]) { return .multiStep(milestones: milestones, gamma: gamma) }
        default: break
        }
        throw ConfigurationError("schedule must be constant, cosine, step:EPOCHS:GAMMA or multistep:E1,E2:GAMMA, got \"\(text)\"")
    }
}
