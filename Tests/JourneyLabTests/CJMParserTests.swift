import Foundation
import JourneyLab
import Testing

/// The repository's files, found from this source file.
enum RepositoryFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let example = root.appendingPathComponent("examples/car-brand-x.yaml")
}

@Suite("CJM parser: strict, with file and line")
struct CJMParserTests {
    static let minimal = """
        journey: car-x
        name: Car X
        segment:
          key: family-men-30
          name: Family men 30+
        stages:
          - key: choose-dealer
            name: Choosing a dealer
            barriers:
              - key: no-final-price
                text: No final price
                source: interview
                recommendations:
                  - {key: price-calculator, text: Calculator}
        hypotheses:
          - key: final-price
            stage: choose-dealer
            barrier: no-final-price
            title: Written final price closes more deals
            metric: closed_won
        """

    /// Parses and returns the error message (nil when it parsed).
    static func message(_ yaml: String) -> String? {
        do {
            _ = try CJMParser.parse(yaml: yaml, fileName: "map.yaml")
            return nil
        } catch let error as JourneyLabError {
            #expect(error.kind == .invalidInput)
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func parsesTheCarBrandExample() throws {
        let file = try CJMParser.parse(contentsOf: RepositoryFiles.example)
        #expect(file.journey == "car-brand-x-family-men-30")
        #expect(file.segment.key == "family-men-30")
        #expect(file.stages.count == 13)
        #expect(file.stages.first?.key == "choose-crossover" && file.stages.last?.key == "warranty-service")
        #expect(file.stages.flatMap(\.barriers).count == 9)
        #expect(file.hypotheses.count == 5)
        let accessories = try #require(file.hypotheses.first { $0.registration.key == "accessories-email-chain" })
        #expect(accessories.registration.metric == "addon_purchased")
        #expect(accessories.registration.targetDeals == 150)
        #expect(accessories.registration.minDays == 120 && accessories.registration.maxDays == 180)
    }

    @Test func minimalFileParses() throws {
        let file = try CJMParser.parse(yaml: Self.minimal, fileName: "map.yaml")
        #expect(file.stages[0].barriers[0].recommendations[0].key == "price-calculator")
        #expect(file.stages[0].barriers[0].line == 10)
        #expect(file.hypotheses[0].line == 16)
    }

    @Test func unknownFieldNamesFileLineAndFix() {
        let yaml = Self.minimal.replacingOccurrences(
            of: "    name: Choosing a dealer", with: "    name: Choosing a dealer\n    custmer_goals: [x]")
        #expect(
            Self.message(yaml)
                == "map.yaml:9: stages[0].custmer_goals: unknown field — did you mean customer_goals? allowed here: key, name, "
                + "customer_goals, customer_thoughts, customer_actions, brand_goals, touchpoints, experience, experience_note, "
                + "barriers, recommendations (see docs/cjm-format.md)")
    }

    @Test func wrongTypesNameFileAndLine() {
        let listExpected = Self.minimal.replacingOccurrences(
            of: "    barriers:\n", with: "    customer_goals: Find a dealer\n    barriers:\n")
        #expect(Self.message(listExpected)?.hasPrefix("map.yaml:9: stages[0].customer_goals: expected a list, got text") == true)
        let numberForText = Self.minimal.replacingOccurrences(of: "name: Car X", with: "name: 2024")
        #expect(Self.message(numberForText) == "map.yaml:2: name: expected text, got an integer (2024) — quote it: \"2024\"")
        let quotedNumber = Self.minimal.replacingOccurrences(
            of: "metric: closed_won", with: "metric: closed_won\n    alpha: \"0.05\"")
        #expect(Self.message(quotedNumber)?.hasPrefix("map.yaml:21: hypotheses[0].alpha: expected a number, got text") == true)
        let fractionalTarget = Self.minimal.replacingOccurrences(
            of: "metric: closed_won", with: "metric: closed_won\n    target_deals: 150.5")
        #expect(
            Self.message(fractionalTarget)?.hasPrefix("map.yaml:21: hypotheses[0].target_deals: expected a whole number") == true)
    }

    @Test func numbersThatAreNotNumbersAndControlCharacters() throws {
        for (written, said) in [(".nan", "a number that is not finite (.nan)"), ("1e309", "a number that is not finite (1e309)")] {
            let yaml = Self.minimal.replacingOccurrences(of: "metric: closed_won", with: "metric: closed_won\n    alpha: \(written)")
            #expect(Self.message(yaml)?.hasPrefix("map.yaml:21: hypotheses[0].alpha: expected a number, got \(said)") == true, "\(Self.message(yaml) ?? "")")
        }
        let huge = Self.minimal.replacingOccurrences(
            of: "metric: closed_won", with: "metric: closed_won\n    target_deals: 99999999999999999999")
        #expect(Self.message(huge)?.contains("expected a whole number, got an integer beyond 64 bits") == true, "\(Self.message(huge) ?? "")")
        let tagged = Self.minimal.replacingOccurrences(of: "name: Car X", with: "name: !foo bar")
        #expect(Self.message(tagged)?.hasPrefix("map.yaml:2: name: expected text, got a value tagged !foo") == true, "\(Self.message(tagged) ?? "")")
        // NUL (the database refuses it) and escape sequences (a terminal acts on them) are named with their line.
        for escape in ["\\0", "\\e[2J"] {
            let yaml = Self.minimal.replacingOccurrences(of: "name: Car X", with: "name: \"Car \(escape)X\"")
            #expect(Self.message(yaml)?.hasPrefix("map.yaml:2: name: contains the control character U+00") == true, "\(Self.message(yaml) ?? "")")
        }
        // A raw control byte (not an escape in quotes) stops YAML's reader, which counts bytes, not lines.
        for (byte, name) in [("\u{01}", "U+0001"), ("\u{1B}", "U+001B"), ("\u{7F}", "U+007F")] {
            let raw = Self.minimal.replacingOccurrences(of: "text: No final price", with: "text: No final \(byte)price")
            let line = try #require(
                Self.minimal.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("text: No final price") }) + 1
            #expect(line > 2)
            #expect(Self.message(raw)?.hasPrefix("map.yaml:\(line): contains the control character \(name)") == true, "\(Self.message(raw) ?? "")")
        }
        // The line an editor shows, whatever the line ends, and whatever came before (U+2028 is no line end;
        // NEL, U+0085, is a control character here, though YAML's reader would take it for a line break).
        let lines = Self.minimal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let target = try #require(lines.firstIndex { $0.contains("text: No final price") })
        for (ends, name) in [("\r\n", "CRLF"), ("\r", "CR"), ("\n", "LF")] {
            for (byte, code) in [("\u{07}", "U+0007"), ("\u{85}", "U+0085"), ("\u{202E}", "U+202E")] {
                var edited = lines
                edited[1] += " # a comment with \u{2028} in it"
                edited[target] = edited[target].replacingOccurrences(of: "No final", with: "No final \(byte)")
                let message = Self.message(edited.joined(separator: ends)) ?? ""
                #expect(message.hasPrefix("map.yaml:\(target + 1): contains the control character \(code)"), "\(name): \(message)")
            }
        }
        // A right-to-left override would show the name in another order than it is stored.
        let reversed = Self.minimal.replacingOccurrences(of: "name: Car X", with: "name: \"Car \\u202EX\"")
        #expect(Self.message(reversed)?.hasPrefix("map.yaml:2: name: contains the control character U+202E") == true, "\(Self.message(reversed) ?? "")")
        let multiLine = Self.minimal.replacingOccurrences(of: "text: No final price", with: "text: \"No final\\tprice\\nat all\"")
        #expect(Self.message(multiLine) == nil, "tabs and line breaks are text")
    }

    @Test func enumeratedValuesAndMissingFields() {
        let badSource = Self.minimal.replacingOccurrences(of: "source: interview", with: "source: blog")
        #expect(
            Self.message(badSource)
                == "map.yaml:12: stages[0].barriers[0].source: \"blog\" is not allowed — use one of interview, survey, forum, analytics"
        )
        let noName = Self.minimal.replacingOccurrences(of: "  name: Family men 30+\n", with: "")
        #expect(Self.message(noName)?.hasPrefix("map.yaml:4: segment.name: is missing") == true)
        let badKey = Self.minimal.replacingOccurrences(of: "key: choose-dealer", with: "key: Choose Dealer")
        #expect(Self.message(badKey)?.hasPrefix("map.yaml:7: stages[0].key: \"Choose Dealer\" is not a valid key") == true)
    }

    @Test func hypothesisReferencesAndRanges() {
        let wrongBarrier = Self.minimal.replacingOccurrences(of: "barrier: no-final-price", with: "barrier: long-paperwork")
        #expect(
            Self.message(wrongBarrier)
                == "map.yaml:18: hypotheses[0].barrier: \"long-paperwork\" is not a barrier of stage choose-dealer — use one of no-final-price"
        )
        let badAlpha = Self.minimal.replacingOccurrences(of: "metric: closed_won", with: "metric: closed_won\n    alpha: 0.7")
        #expect(
            Self.message(badAlpha)
                == "map.yaml:21: hypotheses[0].alpha: 0.7 is outside (0, 0.5] — use a significance level such as 0.05")
        let journeyField = Self.minimal.replacingOccurrences(
            of: "metric: closed_won", with: "metric: closed_won\n    journey: car-x")
        #expect(Self.message(journeyField)?.hasPrefix("map.yaml:21: hypotheses[0].journey: unknown field") == true)
    }

    @Test func repeatedKeysAndSyntax() {
        let repeatedStage = Self.minimal.replacingOccurrences(
            of: "hypotheses:", with: "  - key: choose-dealer\n    name: Again\nhypotheses:")
        #expect(
            Self.message(repeatedStage)?.hasPrefix(
                "map.yaml:15: stages[1].key: stage \"choose-dealer\" is repeated (first on line 7)") == true)
        let duplicateField = Self.minimal.replacingOccurrences(of: "name: Car X", with: "name: Car X\nname: Car Y")
        #expect(Self.message(duplicateField)?.contains("\"name\" is given twice") == true)
        let broken = Self.minimal.replacingOccurrences(of: "    name: Choosing a dealer", with: "    name: [Choosing")
        #expect(Self.message(broken)?.hasPrefix("map.yaml:") == true)
        #expect(Self.message(broken)?.contains("YAML syntax error") == true)
    }
}
