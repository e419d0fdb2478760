import Foundation
import JourneyLab
import Testing
import TestSupport

/// `journeylab analyze` and `plan` as a user runs them: JSON contract, plain verdicts, bad input → exit 2.
@Suite("analyze and plan commands")
struct AnalyzeCommandTests {
    let binary = TestProcess.journeylabBinary

    @Test func analyzeJSONFollowsTheContract() async throws {
        let result = try await TestProcess.run(
            binary, ["analyze", "--arm", "control=12/60", "--arm", "treatment=24/65", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["arms", "comparisons", "srm", "power", "decision", "reasons"]))
        let arms = try #require(object["arms"] as? [[String: Any]])
        #expect(arms.map { $0["name"] as? String } == ["control", "treatment"])
        #expect(arms[1]["conversions"] as? Int == 24 && arms[1]["deals"] as? Int == 65)
        let comparison = try #require((object["comparisons"] as? [[String: Any]])?.first)
        #expect(comparison["baseline"] as? String == "control")
        let diff = try #require(comparison["diff"] as? Double)
        #expect(abs(diff - (24.0 / 65 - 12.0 / 60)) < 1e-12)
        #expect(["adopt", "reject", "inconclusive"].contains(object["decision"] as? String))
    }

    @Test func analyzeTextGivesAVerdict() async throws {
        let result = try await TestProcess.run(binary, ["analyze", "--arm", "control=0/50", "--arm", "treatment=4/50"])
        #expect(result.status == 0)
        #expect(result.output.contains("Boschloo"))
        #expect(result.output.contains("Decision: INCONCLUSIVE"))
    }

    @Test(arguments: [
        ["--arm", "a=70/60", "--arm", "b=1/2"],  // more conversions than deals
        ["--arm", "a=-1/60", "--arm", "b=1/2"],  // negative
        ["--arm", "a=1/60"],  // a single arm
        ["--arm", "a=1/60", "--arm", "a=2/60"],  // duplicate names
        ["--arm", "a=1/60", "--arm", "b=2/60", "--alpha", "1.5"],  // alpha outside (0, 1)
        ["--arm", "a=1/60", "--arm", "b=2/60", "--alpha", "0.7"],  // alpha above what a hypothesis may plan
        ["--arm", "a=1/60", "--arm", "b=2/60", "--power", "0.3"],  // power at most a coin flip
        ["--arm", "a=1/60", "--arm", "b=2/60", "--format", "yaml"],  // unknown format
        ["--arm", "nonsense"],
        ["--arm", "a=0/1000000", "--arm", "b=1000000/1000000"],  // beyond the 100,000 deals exact tests are sized for
        ["--arm", "a=1/60", "--arm", "b=24/9223372036854775807"],  // a count whose sum would overflow
        ["--arm", "a=1/60", "--arm", "b=2/60", "--mde", "1e-12"],  // a lift that would need 10^25 deals
    ])
    func badInputExitsTwoWithOneLine(arguments: [String]) async throws {
        try await Self.expectBadInput(["analyze"] + arguments)
    }

    @Test(arguments: [
        ["--baseline", "0.2", "--mde", "1e-12"], ["--baseline", "0.2", "--mde", "1e-300"],
        ["--baseline", "0.2", "--deals", "150", "--weights", "1,1e-300"], ["--baseline", "0.2", "--deals", "150", "--weights", "1,1e300"],
        ["--baseline", "0.2", "--deals", "150", "--spending", "pocock"],  // spending without looks would be ignored
        ["--baseline", "0.2", "--deals", "150", "--weights", "1e308,1e308"], ["--baseline", "0.2", "--deals", "150", "--weights", "1e19,1e19"],
    ])
    func planRefusesWhatNoSearchCouldAnswer(arguments: [String]) async throws {
        try await Self.expectBadInput(["plan"] + arguments)
    }

    static func expectBadInput(_ arguments: [String]) async throws {
        let result = try await TestProcess.run(TestProcess.journeylabBinary, arguments)
        #expect(result.status == 2, "\(arguments): \(result.standardError)")
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        #expect(result.output.isEmpty)
    }

    /// Each command's --help lists exactly the formats it prints, and the parser refuses the others (exit 2).
    @Test(arguments: [
        (["plan", "--baseline", "0.2", "--mde", "0.15"], "values: text, json;", "markdown"),
        (["analyze", "--arm", "a=1/60", "--arm", "b=2/60"], "values: text, json;", "csv"),
        (["hypothesis", "randomization", "h"], "values: text, csv, json;", "html"),
        (["report"], "values: text, markdown, json, csv, html;", "yaml"),
    ])
    func formatsAreTheOnesACommandPrints(command: [String], listed: String, refused: String) async throws {
        let help = try await TestProcess.run(binary, command + ["--help"])
        #expect(help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(listed),
                "\(command): \(help.output)")
        let result = try await TestProcess.run(binary, command + ["--format", refused])
        #expect(result.status == 2, "\(command): \(result.standardError)")
        #expect(result.standardError.contains("'\(refused)' is invalid for '--format"), "\(result.standardError)")
        // The message points at the help of the command that was run, not the whole tool's.
        let name = command.prefix { !$0.hasPrefix("-") && $0 != "h" }.joined(separator: " ")  // without arguments
        #expect(result.standardError.hasSuffix("(see `journeylab \(name) --help`)\n"), "\(result.standardError)")
        #expect(result.output.isEmpty)
    }

    @Test func versionIsThisRelease() async throws {
        let result = try await TestProcess.run(binary, ["--version"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.output == JourneyLabVersion.current + "\n")
    }

    @Test func planGivesExactAndNormalSideBySideAndBoundaries() async throws {
        let result = try await TestProcess.run(binary, ["plan", "--baseline", "0.2", "--mde", "0.15", "--looks", "3", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.output
        #expect(text.contains("3.39"))  // O'Brien–Fleming, three looks: 3.3948, 2.4067, 2.0152
        #expect(text.contains("2.40") || text.contains("2.41"))
        let bad = try await TestProcess.run(binary, ["plan", "--baseline", "0.2"])
        #expect(bad.status == 2)
        // Every method has every key, null where there is no answer (16 deals detect no lift exactly).
        let small = try await TestProcess.run(binary, ["plan", "--baseline", "0.5", "--deals", "16", "--format", "json"])
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(small.output.utf8)) as? [String: Any])
        for method in ["normal", "boschloo", "fisher"] {
            let object = try #require(plan[method] as? [String: Any], "\(method)")
            #expect(Set(object.keys) == ["mde", "deals", "deals_per_arm", "power"], "\(method): \(object.keys)")
        }
        #expect((plan["boschloo"] as? [String: Any])?["mde"] is NSNull, "\(small.output)")
        #expect(plan["sequential"] is NSNull)
        // A negative number is read as the option's value and judged, not taken for another option.
        let negative = try await TestProcess.run(binary, ["plan", "--baseline", "0.2", "--deals", "-5"])
        #expect(negative.status == 2)
        #expect(negative.standardError.contains("between 2 and 100000 (got -5)"), "\(negative.standardError)")
        // No more looks than a hypothesis may register, so every design plan prints can be registered.
        let tooMany = try await TestProcess.run(binary, ["plan", "--baseline", "0.2", "--mde", "0.15", "--looks", "6"])
        #expect(tooMany.status == 2)
        #expect(tooMany.standardError.contains("1 to 5 looks"), "\(tooMany.standardError)")
    }
}
