import Foundation
import Yams

/// Reads a CJM file strictly: an unknown field, a wrong type or a value out of range is an error that names
/// the file, the line, the field's path and the fix, e.g.
/// `car-brand-x.yaml:57: stages[2].barriers[0].source: "blog" is not allowed — use one of interview, survey, forum, analytics`.
///
/// ```swift
/// let file = try CJMParser.parse(contentsOf: URL(fileURLWithPath: "examples/car-brand-x.yaml"))
/// ```
public enum CJMParser {
    static let touchpointChannels = [
        "website", "email", "sms", "call", "manager", "outdoor", "social", "forum", "messenger", "dealership", "tv", "other",
    ]
    static let barrierSources = ["interview", "survey", "forum", "analytics"]
    static let severities = ["low", "medium", "high"]
    static let experiences = ["positive", "neutral", "negative"]

    /// Reads and parses a file.
    /// - Throws: `JourneyLabError.invalidInput` for an unreadable file or any problem in it.
    public static func parse(contentsOf url: URL, displayName: String? = nil) throws -> CJMFile {
        let name = displayName ?? url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw JourneyLabError.invalid("\(name): cannot read the file — check the path and permissions", field: "FILE")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw JourneyLabError.invalid("\(name): the file is not UTF-8 text — save it as UTF-8", field: "FILE")
        }
        return try parse(yaml: text, fileName: name)
    }

    /// Parses YAML text; `fileName` is used in messages only.
    /// - Throws: `JourneyLabError.invalidInput` with `field` set to the path of the offending field.
    public static func parse(yaml: String, fileName: String) throws -> CJMFile {
        let reader = NodeReader(fileName: fileName)
        try reader.refuseWrittenControls(yaml)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw reader.syntaxError(error)
        }
        guard let root else {
            throw JourneyLabError.invalid(
                "\(fileName):1: the file is empty — start from examples/car-brand-x.yaml", field: "FILE")
        }
        let top = try reader.fields(
            root, path: "", allowed: ["journey", "name", "description", "segment", "stages", "hypotheses"])
        let journey = try top.slug("journey", required: true)!
        let segmentNode = try top.required("segment")
        let segmentFields = try reader.fields(segmentNode, path: "segment", allowed: ["key", "name", "description", "portrait"])
        var portrait: [String: String] = [:]
        if let portraitNode = segmentFields.optional("portrait") {
            let mapping = try reader.mapping(
                portraitNode, path: "segment.portrait", fix: "give portrait fields as `age: \"30-45\"`")
            for (keyNode, valueNode) in mapping {
                let key = try reader.text(keyNode, path: "segment.portrait", fix: "use text field names such as age or income")
                portrait[key] = try reader.text(
                    valueNode, path: "segment.portrait.\(key)",
                    fix: "quote the value, e.g. \(key): \"\(valueNode.string ?? "…")\"")
            }
        }
        let segment = CJMFile.Segment(
            key: try segmentFields.slug("key", required: true)!, name: try segmentFields.text("name", required: true)!,
            description: try segmentFields.text("description") ?? "", portrait: portrait)

        let stageNodes = try top.list("stages", required: true)
        guard !stageNodes.isEmpty else {
            throw reader.error(try top.required("stages"), "stages", "is empty", fix: "list the funnel stages in order")
        }
        var stages: [CJMFile.Stage] = []
        for (index, node) in stageNodes.enumerated() {
            stages.append(try parseStage(node, path: "stages[\(index)]", reader: reader))
        }
        var hypotheses: [CJMFile.HypothesisEntry] = []
        for (index, node) in try top.list("hypotheses").enumerated() {
            hypotheses.append(try parseHypothesis(node, path: "hypotheses[\(index)]", journey: journey, reader: reader))
        }
        let file = CJMFile(
            fileName: fileName, journey: journey, name: try top.text("name", required: true)!,
            description: try top.text("description") ?? "", segment: segment, stages: stages, hypotheses: hypotheses)
        try checkKeys(file)
        return file
    }

    static func parseStage(_ node: Node, path: String, reader: NodeReader) throws -> CJMFile.Stage {
        let fields = try reader.fields(
            node, path: path,
            allowed: [
                "key", "name", "customer_goals", "customer_thoughts", "customer_actions", "brand_goals", "touchpoints",
                "experience", "experience_note", "barriers", "recommendations",
            ])
        var stage = CJMFile.Stage(
            key: try fields.slug("key", required: true)!, name: try fields.text("name", required: true)!, line: reader.line(node))
        stage.customerGoals = try fields.textList("customer_goals")
        stage.customerThoughts = try fields.textList("customer_thoughts")
        stage.customerActions = try fields.textList("customer_actions")
        stage.brandGoals = try fields.textList("brand_goals")
        for (index, touchNode) in try fields.list("touchpoints").enumerated() {
            let touch = try reader.fields(touchNode, path: "\(path).touchpoints[\(index)]", allowed: ["channel", "description"])
            stage.touchpoints.append(
                CJMFile.Touchpoint(
                    channel: try touch.choice("channel", touchpointChannels, required: true)!,
                    description: try touch.text("description") ?? ""))
        }
        stage.experience = try fields.choice("experience", experiences)
        stage.experienceNote = try fields.text("experience_note") ?? ""
        for (index, barrierNode) in try fields.list("barriers").enumerated() {
            let barrierPath = "\(path).barriers[\(index)]"
            let barrier = try reader.fields(
                barrierNode, path: barrierPath, allowed: ["key", "text", "source", "severity", "recommendations"])
            var parsed = CJMFile.Barrier(
                key: try barrier.slug("key", required: true)!, text: try barrier.text("text", required: true)!,
                source: try barrier.choice("source", barrierSources, required: true)!,
                severity: try barrier.choice("severity", severities) ?? "medium", line: reader.line(barrierNode))
            parsed.recommendations = try parseRecommendations(barrier, path: barrierPath, reader: reader)
            stage.barriers.append(parsed)
        }
        stage.recommendations = try parseRecommendations(fields, path: path, reader: reader)
        return stage
    }

    static func parseRecommendations(_ fields: NodeReader.Fields, path: String, reader: NodeReader) throws -> [CJMFile
        .Recommendation]
    {
        try fields.list("recommendations").enumerated().map { index, node in
            let recommendation = try reader.fields(node, path: "\(path).recommendations[\(index)]", allowed: ["key", "text"])
            return CJMFile.Recommendation(
                key: try recommendation.slug("key", required: true)!, text: try recommendation.text("text", required: true)!,
                line: reader.line(node))
        }
    }

    static func parseHypothesis(_ node: Node, path: String, journey: String, reader: NodeReader) throws -> CJMFile.HypothesisEntry
    {
        typealias Field = HypothesisRegistration.Field
        let allowed = Field.allCases.filter { $0 != .journey }.map(\.fileName)
        let fields = try reader.fields(node, path: path, allowed: allowed)
        var registration = HypothesisRegistration(
            key: try fields.slug("key"), journey: journey, stage: try fields.slug("stage", required: true)!,
            barrier: try fields.slug("barrier"), recommendation: try fields.slug("recommendation"),
            title: try fields.text("title", required: true)!, description: try fields.text("description"),
            metric: try fields.text("metric", required: true)!)
        registration.arms = try fields.optional("arms").map { _ in try fields.textList("arms") }
        registration.weights = try fields.intList("weights")
        registration.targetDeals = try fields.int("target_deals")
        registration.alpha = try fields.number("alpha")
        registration.power = try fields.number("power")
        registration.baselineRate = try fields.number("baseline_rate")
        registration.mde = try fields.number("mde")
        registration.minDays = try fields.int("min_days")
        registration.maxDays = try fields.int("max_days")
        registration.randomization = try fields.choice("randomization", Hypothesis.Randomization.allCases.map(\.rawValue))
        registration.stratify = try fields.choice("stratify", Hypothesis.Stratification.allCases.map(\.rawValue))
        registration.exclusionGroup = try fields.slug("exclusion_group")
        registration.segmentFilter = try fields.text("segment_filter")
        registration.looks = try fields.int("looks")
        registration.seed = try fields.int("seed").map(Int64.init)
        if let startNode = fields.optional("start_at") {
            let text = startNode.string ?? ""
            guard let date = PlainDate.parse(text) else {
                throw reader.error(
                    startNode, "\(path).start_at", "\"\(text)\" is not a date",
                    fix: "write it as 2025-03-01 or 2025-03-01T09:00:00Z")
            }
            registration.startAt = date
        }
        var lines: [Field: Int] = [:]
        for field in Field.allCases {
            if let valueNode = fields.optional(field.fileName) { lines[field] = reader.line(valueNode) }
        }
        return CJMFile.HypothesisEntry(registration: registration, line: reader.line(node), fieldLines: lines)
    }

    /// Keys unique within the journey; hypothesis references and values valid (same rules as `hypothesis register`).
    static func checkKeys(_ file: CJMFile) throws {
        func fail(_ line: Int, _ path: String, _ problem: String, _ fix: String) -> JourneyLabError {
            .invalid("\(file.fileName):\(line): \(path): \(problem) — \(fix)", field: path)
        }
        var stageLines: [String: Int] = [:]
        var barrierLines: [String: Int] = [:]
        var recommendationLines: [String: Int] = [:]
        for (s, stage) in file.stages.enumerated() {
            if let first = stageLines[stage.key] {
                throw fail(
                    stage.line, "stages[\(s)].key", "stage \"\(stage.key)\" is repeated (first on line \(first))",
                    "give every stage its own key")
            }
            stageLines[stage.key] = stage.line
            let recommendations = stage.recommendations.enumerated().map { ("stages[\(s)].recommendations[\($0)].key", $1) }
            var nested: [(String, CJMFile.Recommendation)] = []
            for (b, barrier) in stage.barriers.enumerated() {
                if let first = barrierLines[barrier.key] {
                    throw fail(
                        barrier.line, "stages[\(s)].barriers[\(b)].key",
                        "barrier \"\(barrier.key)\" is repeated (first on line \(first))",
                        "barrier keys are unique within the journey")
                }
                barrierLines[barrier.key] = barrier.line
                nested += barrier.recommendations.enumerated().map {
                    ("stages[\(s)].barriers[\(b)].recommendations[\($0)].key", $1)
                }
            }
            for (path, recommendation) in nested + recommendations {
                if let first = recommendationLines[recommendation.key] {
                    throw fail(
                        recommendation.line, path,
                        "recommendation \"\(recommendation.key)\" is repeated (first on line \(first))",
                        "recommendation keys are unique within the journey")
                }
                recommendationLines[recommendation.key] = recommendation.line
            }
        }
        let outline = file.outline
        var hypothesisLines: [String: Int] = [:]
        for (index, entry) in file.hypotheses.enumerated() {
            let hypothesis: Hypothesis
            do {
                hypothesis = try entry.registration.validated(against: outline, existingSeed: 0)
            } catch let problem as HypothesisRegistration.Problem {
                let line = entry.fieldLines[problem.field] ?? entry.line
                throw fail(line, "hypotheses[\(index)].\(problem.field.fileName)", problem.problem, problem.fix)
            }
            if let first = hypothesisLines[hypothesis.key] {
                throw fail(
                    entry.line, "hypotheses[\(index)].key",
                    "hypothesis \"\(hypothesis.key)\" is repeated (first on line \(first))",
                    "give every hypothesis its own key")
            }
            hypothesisLines[hypothesis.key] = entry.line
        }
    }
}

/// Typed, strict access to composed YAML nodes, with `file:line: path: problem — fix` errors.
struct NodeReader {
    let fileName: String

    func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    func error(_ node: Node?, _ path: String, _ problem: String, fix: String, line explicit: Int? = nil) -> JourneyLabError {
        let line = explicit ?? node.map(line) ?? 0
        let location = path.isEmpty ? "" : "\(path): "
        return .invalid("\(fileName):\(line): \(location)\(problem) — \(fix)", field: path.isEmpty ? nil : path)
    }

    /// A control character written into the file itself (not as an escape in quotes, which the value checks
    /// catch) is named with the line an editor shows, counting LF, CRLF and CR line ends, before YAML's reader sees
    /// it: the reader reports an offset that drifts from the line with CRLF ends, and takes NEL (U+0085) for a line
    /// break, so its own error would point elsewhere or not name the character at all.
    func refuseWrittenControls(_ yaml: String) throws {
        var line = 1
        var afterCR = false
        for scalar in yaml.unicodeScalars {
            switch scalar {
            case "\n":
                if !afterCR { line += 1 }
                afterCR = false
            case "\r":
                line += 1
                afterCR = true
            case "\t":
                afterCR = false
            default:
                afterCR = false
                if ControlCharacters.isControl(scalar) {
                    throw JourneyLabError.invalid(
                        "\(fileName):\(line): contains the control character \(ControlCharacters.name(scalar)) — remove it (was the text pasted from a terminal or a binary file?)",
                        field: nil)
                }
            }
        }
    }

    func syntaxError(_ error: YamlError) -> JourneyLabError {
        var line = 0
        var problem = "\(error)"
        switch error {
        case .scanner(_, let what, let mark, _), .parser(_, let what, let mark, _), .composer(_, let what, let mark, _):
            line = mark.line
            problem = what
        case .reader(let what, let offset, _, let yaml):
            // Control characters never get here (`refuseWrittenControls`). The reader reports a byte offset:
            // count the line breaks before it.
            line = 1 + yaml.utf8.prefix(max(0, offset ?? 0)).reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            problem = what
        case .duplicatedKeysInMapping(let duplicates, let context):
            line = context.mark.line
            problem = "field " + duplicates.map { "\"\($0)\"" }.joined(separator: ", ") + " is given twice in one mapping"
            return .invalid("\(fileName):\(line): \(problem) — keep one of them", field: nil)
        default:
            problem = problem.split(separator: "\n").first.map(String.init) ?? problem
        }
        return .invalid(
            "\(fileName):\(line): YAML syntax error: \(problem) — check indentation, colons and quotes on or just before this line",
            field: nil)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch node.tagName {
            case .null: return "nothing (null)"
            case .bool: return "a boolean (\(scalar.string))"
            case .int: return Int(scalar.string) == nil ? "an integer beyond 64 bits (\(scalar.string))" : "an integer (\(scalar.string))"
            case .float:
                return Double(scalar.string)?.isFinite == true
                    ? "a fractional number (\(scalar.string))" : "a number that is not finite (\(scalar.string))"
            case let tag where tag.rawValue.hasPrefix("!"):
                return "a value tagged \(tag.rawValue) (\"\(scalar.string.prefix(40))\")"
            default: return "text (\"\(scalar.string.prefix(40))\")"
            }
        }
    }

    func mapping(_ node: Node, path: String, fix: String) throws -> Node.Mapping {
        guard case .mapping(let mapping) = node else {
            throw error(node, path, "expected a mapping, got \(describe(node))", fix: fix)
        }
        return mapping
    }

    /// A text scalar; numbers, booleans and null are refused so `name: 2024` or `name: yes` is not silently text.
    func text(_ node: Node, path: String, fix: String? = nil) throws -> String {
        guard case .scalar(let scalar) = node, node.tagName == .str else {
            let hint = fix ?? (node.scalar != nil ? "quote it: \"\(node.scalar?.string ?? "")\"" : "give a single line of text")
            throw error(node, path, "expected text, got \(describe(node))", fix: hint)
        }
        // Tabs and line breaks belong in descriptions; NUL, escape sequences and the like belong nowhere (the
        // database refuses NUL, and a terminal would act on an escape when the text is printed).
        if let control = ControlCharacters.first(in: scalar.string, allowing: ["\t", "\n", "\r"]) {
            throw error(
                node, path, "contains the control character \(ControlCharacters.name(control))",
                fix: "remove it (only tabs and line breaks are allowed in text)")
        }
        return scalar.string
    }

    func fields(_ node: Node, path: String, allowed: [String]) throws -> Fields {
        let mapping = try self.mapping(
            node, path: path, fix: "write it as `field: value` lines; allowed fields: " + allowed.joined(separator: ", "))
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw error(
                    keyNode, path, "a field name must be plain text", fix: "allowed fields: " + allowed.joined(separator: ", "))
            }
            let name = scalar.string
            guard allowed.contains(name) else {
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                let suggestion = Self.closest(name, in: allowed).map { "did you mean \($0)? " } ?? ""
                throw error(
                    keyNode, childPath, "unknown field",
                    fix: "\(suggestion)allowed here: " + allowed.joined(separator: ", ") + " (see docs/cjm-format.md)")
            }
            values[name] = value
        }
        return Fields(reader: self, node: node, path: path, values: values)
    }

    /// The allowed name nearest to a misspelt one (edit distance ≤ 3), if any.
    static func closest(_ name: String, in allowed: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1]
                for (j, y) in b.enumerated() {
                    current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
        let scored = allowed.map { ($0, distance(Array(name), Array($0))) }.min { $0.1 < $1.1 }
        guard let scored, scored.1 <= 3 else { return nil }
        return scored.0
    }

    /// The fields of one mapping, after unknown names were refused.
    struct Fields {
        let reader: NodeReader
        let node: Node
        let path: String
        let values: [String: Node]

        func childPath(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

        /// A field's node; an explicit `null` counts as absent.
        func optional(_ name: String) -> Node? {
            guard let value = values[name] else { return nil }
            if case .scalar = value, value.tagName == .null { return nil }
            return value
        }

        func required(_ name: String) throws -> Node {
            guard let value = optional(name) else {
                throw reader.error(
                    node, childPath(name), "is missing", fix: "add `\(name):` to \(path.isEmpty ? "the top level" : path)")
            }
            return value
        }

        func text(_ name: String, required isRequired: Bool = false) throws -> String? {
            guard let value = isRequired ? try required(name) : optional(name) else { return nil }
            let text = try reader.text(value, path: childPath(name))
            if isRequired, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw reader.error(
                    value, childPath(name), "is empty", fix: "write the \(name.replacingOccurrences(of: "_", with: " "))")
            }
            return text
        }

        func slug(_ name: String, required isRequired: Bool = false) throws -> String? {
            guard let value = isRequired ? try required(name) : optional(name) else { return nil }
            let text = try reader.text(value, path: childPath(name), fix: "give a key such as choose-dealer")
            guard HypothesisRegistration.isSlug(text) else {
                throw reader.error(
                    value, childPath(name), "\"\(text)\" is not a valid key",
                    fix: "use 1–64 of a-z, 0-9 and -, starting and ending with a letter or digit")
            }
            return text
        }

        func choice(_ name: String, _ options: [String], required isRequired: Bool = false) throws -> String? {
            guard let value = isRequired ? try required(name) : optional(name) else { return nil }
            let text = try reader.text(value, path: childPath(name), fix: "use one of " + options.joined(separator: ", "))
            guard options.contains(text) else {
                throw reader.error(
                    value, childPath(name), "\"\(text)\" is not allowed", fix: "use one of " + options.joined(separator: ", "))
            }
            return text
        }

        func list(_ name: String, required isRequired: Bool = false) throws -> [Node] {
            guard let value = isRequired ? try required(name) : optional(name) else { return [] }
            guard case .sequence(let sequence) = value else {
                throw reader.error(
                    value, childPath(name), "expected a list, got \(reader.describe(value))",
                    fix: "write it as `- item` lines or [a, b]")
            }
            return Array(sequence)
        }

        func textList(_ name: String) throws -> [String] {
            try list(name).enumerated().map { index, item in try reader.text(item, path: "\(childPath(name))[\(index)]") }
        }

        func int(_ name: String) throws -> Int? {
            guard let value = optional(name) else { return nil }
            guard case .scalar(let scalar) = value, value.tagName == .int, let number = Int(scalar.string) else {
                throw reader.error(
                    value, childPath(name), "expected a whole number, got \(reader.describe(value))",
                    fix: "write it unquoted, e.g. \(name): 150")
            }
            return number
        }

        func intList(_ name: String) throws -> [Int]? {
            guard optional(name) != nil else { return nil }
            return try list(name).enumerated().map { index, item in
                guard case .scalar(let scalar) = item, item.tagName == .int, let number = Int(scalar.string) else {
                    throw reader.error(
                        item, "\(childPath(name))[\(index)]", "expected a whole number, got \(reader.describe(item))",
                        fix: "write whole numbers, e.g. [1, 1]")
                }
                return number
            }
        }

        func number(_ name: String) throws -> Double? {
            guard let value = optional(name) else { return nil }
            guard case .scalar(let scalar) = value, value.tagName == .int || value.tagName == .float,
                let number = Double(scalar.string), number.isFinite
            else {
                throw reader.error(
                    value, childPath(name), "expected a number, got \(reader.describe(value))",
                    fix: "write it unquoted, e.g. \(name): 0.05")
            }
            return number
        }
    }
}

extension Node {
    /// The resolved tag's name (`Tag.name` is not public).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
