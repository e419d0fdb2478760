import Foundation
import Postgres
import Stats

/// What a marketer gives to register a hypothesis: the flags of `hypothesis register` or a CJM file's
/// `hypotheses:` entry. `nil` means "use the default" (the defaults are DESIGN.md's).
///
/// ```swift
/// var registration = HypothesisRegistration(journey: "car-brand-x-family-men-30", stage: "first-visit",
///                                           title: "If …", metric: "addon_purchased")
/// registration.targetDeals = 150
/// let draft = try registration.validated(against: outline)   // a draft Hypothesis, or a Problem
/// ```
public struct HypothesisRegistration: Sendable, Equatable {
    public var key: String?
    public var journey: String
    public var stage: String
    public var barrier: String?
    public var recommendation: String?
    public var title: String
    public var description: String?
    public var metric: String
    /// The first arm is the control.
    public var arms: [String]?
    public var weights: [Int]?
    public var targetDeals: Int?
    public var alpha: Double?
    public var power: Double?
    public var baselineRate: Double?
    public var mde: Double?
    public var minDays: Int?
    public var maxDays: Int?
    /// `block` or `hash`.
    public var randomization: String?
    /// `dealer`, `segment` or `none`.
    public var stratify: String?
    public var exclusionGroup: String?
    public var segmentFilter: String?
    public var looks: Int?
    /// Random when nil.
    public var seed: Int64?
    /// With a date ahead, `hypothesis start` schedules instead of starting.
    public var startAt: Date?

    public init(
        key: String? = nil, journey: String, stage: String, barrier: String? = nil, recommendation: String? = nil,
        title: String, description: String? = nil, metric: String
    ) {
        self.key = key
        self.journey = journey
        self.stage = stage
        self.barrier = barrier
        self.recommendation = recommendation
        self.title = title
        self.description = description
        self.metric = metric
    }

    /// The fields, so a problem can be reported as `--target-deals` on the CLI and `target_deals` in a file.
    public enum Field: String, Sendable, CaseIterable, Hashable {
        case key, journey, stage, barrier, recommendation, title, description, metric, arms, weights
        case targetDeals, alpha, power, baselineRate, mde, minDays, maxDays, randomization, stratify
        case exclusionGroup, segmentFilter, looks, seed, startAt

        /// The CLI option, e.g. `--target-deals`.
        public var optionName: String { "--" + words.joined(separator: "-") }
        /// The CJM file field, e.g. `target_deals`.
        public var fileName: String { words.joined(separator: "_") }

        private var words: [String] {
            var words: [String] = []
            var current = ""
            for character in rawValue {
                if character.isUppercase {
                    words.append(current)
                    current = character.lowercased()
                } else {
                    current.append(character)
                }
            }
            return words + [current]
        }
    }

    /// What is wrong with one field and how to fix it.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: Field
        public var problem: String
        public var fix: String

        public init(_ field: Field, _ problem: String, fix: String) {
            self.field = field
            self.problem = problem
            self.fix = fix
        }

        /// `--weights: 0 is not a positive integer — give one weight from 1 to 100 per arm`.
        public var cliMessage: String { "\(field.optionName): \(problem) — \(fix)" }
        public var description: String { cliMessage }

        /// The CLI form as a `JourneyLabError` (exit 2).
        public var asCLIError: JourneyLabError { .invalid(cliMessage, field: field.optionName) }
    }

    /// Checks every field and builds the draft hypothesis (status `draft`, plan not frozen).
    /// - Parameters:
    ///   - outline: the journey's stages, barriers and recommendations; nil skips those checks.
    ///   - existingSeed: the seed to keep when none is given (re-import of a draft); else a random one.
    /// - Throws: the first `Problem` found, in field order.
    public func validated(against outline: JourneyOutline?, existingSeed: Int64? = nil) throws -> Hypothesis {
        let title = self.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else {
            throw Problem(.title, "is empty", fix: "state the hypothesis: \"If …, then … more than when …\"")
        }
        guard !ControlCharacters.occur(in: title) else {
            throw Problem(.title, "contains a control character (a tab, line break, NUL, escape or right-to-left override)", fix: "write it on one line of plain text")
        }
        let key: String
        if let given = self.key {
            guard Self.isSlug(given) else {
                throw Problem(
                    .key, "\"\(given)\" is not a valid key",
                    fix: "use 1–64 of a-z, 0-9 and -, starting and ending with a letter or digit")
            }
            key = given
        } else {
            key = Self.slug(from: title)
            guard Self.isSlug(key) else {
                throw Problem(
                    .key, "cannot be derived from the title (no Latin letters or digits)",
                    fix: "give a key such as accessories-email-chain")
            }
        }
        var references: [(Field, String)] = [(.journey, journey), (.stage, stage)]
        if let barrier { references.append((.barrier, barrier)) }
        if let recommendation { references.append((.recommendation, recommendation)) }
        for (field, value) in references where !Self.isSlug(value) {
            throw Problem(field, "\"\(value)\" is not a valid key", fix: "use the key from `journeylab journey show \(journey)`")
        }
        if let outline { try outline.check(stage: stage, barrier: barrier, recommendation: recommendation) }
        guard Self.isMetricName(metric) else {
            throw Problem(
                .metric, "\"\(metric)\" is not a valid metric name",
                fix: "use 1–64 of a-z, 0-9, _, . and -, e.g. closed_won or addon_purchased")
        }
        let armNames = arms ?? ["control", "treatment"]
        guard armNames.count >= 2 else {
            throw Problem(
                .arms, "needs at least 2 arms, got \(armNames.count)", fix: "name the control first, e.g. control,treatment")
        }
        guard armNames.count <= 10 else { throw Problem(.arms, "has \(armNames.count) arms", fix: "use at most 10 arms") }
        for name in armNames where !Self.isSlug(name) {
            throw Problem(.arms, "\"\(name)\" is not a valid arm name", fix: "use a-z, 0-9 and -, e.g. control,treatment")
        }
        if let repeated = Self.firstRepeated(armNames) {
            throw Problem(.arms, "\"\(repeated)\" appears twice", fix: "give every arm a distinct name")
        }
        if let misplaced = armNames.dropFirst().first(where: { $0 == "control" }) {
            throw Problem(
                .arms, "\"\(misplaced)\" is not the first arm, but the first arm is the control",
                fix: "list the control first, e.g. control,\(armNames[0])")
        }
        let weights = self.weights ?? Array(repeating: 1, count: armNames.count)
        guard weights.count == armNames.count else {
            throw Problem(
                .weights, "has \(weights.count) weights for \(armNames.count) arms",
                fix: "give one weight per arm, e.g. " + Array(repeating: "1", count: armNames.count).joined(separator: ","))
        }
        if let bad = weights.first(where: { !(1...100).contains($0) }) {
            throw Problem(
                .weights, "\(bad) is not a positive integer up to 100", fix: "give each arm a weight from 1 to 100, e.g. 1,1")
        }
        let targetDeals = self.targetDeals ?? 150
        guard targetDeals >= 2 * armNames.count else {
            throw Problem(
                .targetDeals, "\(targetDeals) is fewer than 2 deals per arm",
                fix: "plan at least \(2 * armNames.count) resolved deals (typically 100–150)")
        }
        guard targetDeals <= 10_000_000 else {
            throw Problem(.targetDeals, "\(targetDeals) is too large", fix: "plan at most 10,000,000 deals")
        }
        let alpha = self.alpha ?? 0.05
        guard PlanningLimits.allowsAlpha(alpha) else {
            throw Problem(.alpha, "\(alpha) is outside (0, 0.5]", fix: "use a significance level such as 0.05")
        }
        let power = self.power ?? 0.8
        guard PlanningLimits.allowsPower(power) else {
            throw Problem(.power, "\(power) is outside (0.5, 1)", fix: "use a power such as 0.8")
        }
        let baselineRate = self.baselineRate ?? 0.2
        guard baselineRate > 0, baselineRate < 1 else {
            throw Problem(
                .baselineRate, "\(baselineRate) is outside (0, 1)", fix: "give the control's expected rate, e.g. 0.2 for 20%")
        }
        let mde = self.mde ?? 0.15
        // 1e-12: 0.8 + 0.2 is a full 100% although 1 − 0.8 is 0.19999999999999996 in binary.
        guard mde >= PlanningLimits.smallestLift, mde <= 1 - baselineRate + 1e-12, mde < 1 else {
            throw Problem(
                .mde, "\(mde) is outside [\(PlanningLimits.smallestLift), 1 − baseline rate = \(Self.format(1 - baselineRate))]",
                fix: "give the smallest absolute lift worth acting on, e.g. 0.15 for +15 percentage points")
        }
        let minDays = self.minDays ?? 120
        guard minDays >= 0, minDays <= 3650 else {
            throw Problem(.minDays, "\(minDays) is outside 0…3650", fix: "give the days to wait before concluding, e.g. 120")
        }
        let maxDays = self.maxDays ?? 180
        guard maxDays >= 1, maxDays <= 3650 else {
            throw Problem(.maxDays, "\(maxDays) is outside 1…3650", fix: "give the longest the test may run in days, e.g. 180")
        }
        guard maxDays >= minDays else {
            throw Problem(
                .maxDays, "\(maxDays) is less than min-days \(minDays)",
                fix: "give max-days ≥ min-days, e.g. \(minDays + 60)")
        }
        guard let randomization = Hypothesis.Randomization(rawValue: self.randomization ?? "block") else {
            throw Problem(.randomization, "\"\(self.randomization ?? "")\" is not a method", fix: "use block or hash")
        }
        guard let stratify = Hypothesis.Stratification(rawValue: self.stratify ?? "dealer") else {
            throw Problem(.stratify, "\"\(self.stratify ?? "")\" is not a stratification", fix: "use dealer, segment or none")
        }
        if let group = exclusionGroup, !Self.isSlug(group) {
            throw Problem(.exclusionGroup, "\"\(group)\" is not a valid group name", fix: "use a-z, 0-9 and -, e.g. email-chains")
        }
        // The same rule as the segment a deal arrives with, or the filter could never match.
        if let filter = segmentFilter, let problem = ExternalID.problem(filter, field: "the segment filter") {
            throw Problem(.segmentFilter, problem, fix: "give the segment as the dealer system reports it, or omit it")
        }
        let looks = self.looks ?? 1
        guard (1...5).contains(looks) else {
            throw Problem(.looks, "\(looks) is outside 1…5", fix: "use 1 (analyse once at the end) or 2–5 planned looks")
        }
        // Free text over several lines, as in a journey file: tabs and line breaks are text, other controls are not
        // (`hypothesis show` prints it to a terminal).
        if let description, let control = ControlCharacters.first(in: description, allowing: ["\t", "\n", "\r"]) {
            throw Problem(
                .description, "contains the control character \(ControlCharacters.name(control))",
                fix: "remove it (line breaks and tabs are fine)")
        }
        if let description, description.count > 10_000 {
            throw Problem(.description, "is longer than 10,000 characters", fix: "shorten it")
        }
        // The years events may carry (from 2000) and a century ahead: year 1 or 9999 is a typo, not a plan.
        if let startAt, startAt < Self.earliestStart || startAt >= Self.latestStart {
            throw Problem(
                .startAt, "\(RFC3339.day(startAt)) is outside 2000–2099", fix: "give the day the test should start, e.g. 2027-03-01")
        }
        let plan = Hypothesis.Plan(
            metric: metric, arms: armNames.enumerated().map { Hypothesis.Arm(name: $1, weight: weights[$0], isControl: $0 == 0) },
            targetDeals: targetDeals, alpha: alpha, power: power, baselineRate: baselineRate, mde: mde, minDays: minDays,
            maxDays: maxDays, randomization: randomization, stratify: stratify, looks: looks,
            seed: seed ?? existingSeed ?? Int64.random(in: 1...Int64.max), segmentFilter: segmentFilter,
            exclusionGroup: exclusionGroup)
        return Hypothesis(
            key: key, journeyKey: journey, stageKey: stage, barrierKey: barrier, recommendationKey: recommendation,
            title: title, status: .draft, plan: plan, startAt: startAt)
    }

    static let earliestStart = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01T00:00:00Z
    static let latestStart = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01T00:00:00Z

    // MARK: Names

    /// True for a key: 1–64 of `a-z`, `0-9`, `-`, starting and ending with a letter or digit (the `slug` domain).
    public static func isSlug(_ text: String) -> Bool {
        guard (1...64).contains(text.utf8.count), let first = text.utf8.first, let last = text.utf8.last else { return false }
        func alnum(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        return alnum(first) && alnum(last) && text.utf8.allSatisfy { alnum($0) || $0 == 0x2D }
    }

    /// True for a metric or event name: `[a-z0-9_.-]{1,64}`.
    public static func isMetricName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy {
                (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D
            }
    }

    /// A key from a title: lowercase ASCII words joined by `-`, cut at a word boundary to ≤ 64 characters.
    /// `"If the customer gets a final price…"` → `if-the-customer-gets-a-final-price`.
    public static func slug(from title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX"))
            .lowercased()
        let words = folded.split { character in
            !(character.isASCII && (character.isLetter || character.isNumber))
        }.map(String.init)
        var slug = ""
        for word in words {
            let candidate = slug.isEmpty ? word : slug + "-" + word
            if candidate.count > 64 { break }
            slug = candidate
        }
        if slug.isEmpty, let first = words.first { slug = String(first.prefix(64)) }
        return slug
    }

    static func firstRepeated(_ names: [String]) -> String? {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted { return name }
        return nil
    }

    static func format(_ value: Double) -> String {
        let text = String(format: "%.4f", value)
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
