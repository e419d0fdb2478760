import Foundation
import JourneyLab
import Testing

@Suite("Hypothesis registration: validation")
struct HypothesisRegistrationTests {
    static let outline = JourneyOutline(
        journey: "car-x",
        stages: [
            .init(key: "choose-dealer", barriers: [.init(key: "no-final-price", recommendations: ["price-calculator"])]),
            .init(
                key: "first-visit", barriers: [.init(key: "pushy", recommendations: ["email-chain"])],
                recommendations: ["eye-contact"]),
        ])

    static func base() -> HypothesisRegistration {
        HypothesisRegistration(
            journey: "car-x", stage: "first-visit", barrier: "pushy", recommendation: "email-chain",
            title: "If the customer gets the email chain, more add-ons are bought", metric: "addon_purchased")
    }

    /// Runs validation and returns the field it complains about (nil when valid).
    static func problemField(_ edit: (inout HypothesisRegistration) -> Void) -> HypothesisRegistration.Field? {
        var registration = base()
        edit(&registration)
        do {
            _ = try registration.validated(against: outline)
            return nil
        } catch let problem as HypothesisRegistration.Problem {
            return problem.field
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static let badInputs: [String: @Sendable (inout HypothesisRegistration) -> Void] = [
        "unknown stage": {
            $0.stage = "test-drive"; $0.barrier = nil; $0.recommendation = nil
        },
        "barrier of another stage": {
            $0.barrier = "no-final-price"; $0.recommendation = nil
        },
        "recommendation of another barrier": { $0.recommendation = "price-calculator" },
        "one arm": { $0.arms = ["control"] },
        "repeated arm": { $0.arms = ["control", "a", "a"] },
        "control not first": { $0.arms = ["treatment", "control"] },
        "bad arm name": { $0.arms = ["control", "Treatment B"] },
        "weights count": { $0.weights = [1, 1, 1] },
        "zero weight": { $0.weights = [1, 0] },
        "negative weight": { $0.weights = [-1, 1] },
        "target below 2 per arm": { $0.targetDeals = 3 },
        "alpha zero": { $0.alpha = 0 },
        "alpha above half": { $0.alpha = 0.51 },
        "power half": { $0.power = 0.5 },
        "power one": { $0.power = 1 },
        "baseline one": { $0.baselineRate = 1 },
        "mde beyond 1-baseline": {
            $0.baselineRate = 0.9; $0.mde = 0.2
        },
        "min above max": {
            $0.minDays = 200; $0.maxDays = 180
        },
        "negative min": { $0.minDays = -1 },
        "metric with capitals": { $0.metric = "Addon" },
        "metric too long": { $0.metric = String(repeating: "a", count: 65) },
        "randomization": { $0.randomization = "coin" },
        "stratify": { $0.stratify = "region" },
        "looks": { $0.looks = 6 },
        "bad key": { $0.key = "Bad Key" },
        "empty title": { $0.title = "   " },
        "title without latin letters": { $0.title = "Если клиенту…" },
        "exclusion group": { $0.exclusionGroup = "Email Chains" },
        "title with an escape sequence": { $0.title = "Email chain \u{1B}[2J" },
        "title with a right-to-left override": { $0.title = "Email chain \u{202E}tset" },
        "description with an escape sequence": { $0.description = "Why:\n\u{1B}[31mred" },
        "description with a right-to-left isolate": { $0.description = "Why \u{2067}tset" },
        "segment filter with a newline": { $0.segmentFilter = "family\nmen" },
        "segment filter not NFC": { $0.segmentFilter = "cafe\u{301}" },
        "start in year 1": { $0.startAt = Date(timeIntervalSince1970: -62_135_596_800) },
    ]

    @Test func defaultsGiveTheDesignPlan() throws {
        let hypothesis = try Self.base().validated(against: Self.outline)
        #expect(hypothesis.key == "if-the-customer-gets-the-email-chain-more-add-ons-are-bought")
        #expect(hypothesis.status == .draft)
        #expect(hypothesis.planHash == nil)
        let plan = hypothesis.plan
        #expect(
            plan.arms == [
                .init(name: "control", weight: 1, isControl: true), .init(name: "treatment", weight: 1, isControl: false),
            ])
        #expect(plan.targetDeals == 150 && plan.alpha == 0.05 && plan.power == 0.8)
        #expect(plan.baselineRate == 0.2 && plan.mde == 0.15 && plan.minDays == 120 && plan.maxDays == 180)
        #expect(plan.randomization == .block && plan.stratify == .dealer && plan.looks == 1)
    }

    @Test func firstArmIsTheOnlyControl() throws {
        var registration = Self.base()
        registration.arms = ["manager-only", "email", "sms"]
        registration.weights = [2, 1, 1]
        let plan = try registration.validated(against: Self.outline).plan
        #expect(plan.arms.filter(\.isControl).map(\.name) == ["manager-only"])
        #expect(plan.arms.map(\.weight) == [2, 1, 1])
    }

    @Test func givenSeedIsKeptAndMissingSeedIsRandom() throws {
        var registration = Self.base()
        registration.seed = 42
        #expect(try registration.validated(against: nil).plan.seed == 42)
        registration.seed = nil
        let seeds = Set(try (0..<5).map { _ in try registration.validated(against: nil).plan.seed })
        #expect(seeds.count > 1)
        #expect(try registration.validated(against: nil, existingSeed: 7).plan.seed == 7)
    }

    @Test(arguments: [
        ("unknown stage", HypothesisRegistration.Field.stage),
        ("barrier of another stage", .barrier),
        ("recommendation of another barrier", .recommendation),
        ("one arm", .arms),
        ("repeated arm", .arms),
        ("control not first", .arms),
        ("bad arm name", .arms),
        ("weights count", .weights),
        ("zero weight", .weights),
        ("negative weight", .weights),
        ("target below 2 per arm", .targetDeals),
        ("alpha zero", .alpha),
        ("alpha above half", .alpha),
        ("power half", .power),
        ("power one", .power),
        ("baseline one", .baselineRate),
        ("mde beyond 1-baseline", .mde),
        ("min above max", .maxDays),
        ("negative min", .minDays),
        ("metric with capitals", .metric),
        ("metric too long", .metric),
        ("randomization", .randomization),
        ("stratify", .stratify),
        ("looks", .looks),
        ("bad key", .key),
        ("empty title", .title),
        ("title without latin letters", .key),
        ("exclusion group", .exclusionGroup),
        ("title with an escape sequence", .title),
        ("segment filter with a newline", .segmentFilter),
        ("segment filter not NFC", .segmentFilter),
        ("start in year 1", .startAt),
    ])
    func refusesBadInput(_ name: String, _ field: HypothesisRegistration.Field) throws {
        let edit = try #require(Self.badInputs[name])
        #expect(Self.problemField(edit) == field, "\(name)")
    }

    @Test func boundariesThatAreAllowed() {
        #expect(Self.problemField { $0.alpha = 0.5 } == nil)
        #expect(Self.problemField { $0.targetDeals = 4 } == nil)
        #expect(
            Self.problemField {
                $0.minDays = 180; $0.maxDays = 180
            } == nil)
        #expect(
            Self.problemField {
                $0.barrier = nil; $0.recommendation = "eye-contact"
            } == nil)
        #expect(
            Self.problemField {
                $0.barrier = nil; $0.recommendation = "email-chain"
            } == nil)  // through a barrier of the stage
        #expect(Self.problemField { $0.metric = "closed_won" } == nil)
        // A lift up to a full 100%, although 1 − 0.8 is 0.19999999999999996 in binary.
        #expect(Self.problemField { $0.baselineRate = 0.8; $0.mde = 0.2 } == nil)
        #expect(Self.problemField { $0.baselineRate = 0.9; $0.mde = 0.1 } == nil)
        // Lifts below 0.1 points would need millions of deals, and the report's analysis refuses them.
        #expect(Self.problemField { $0.mde = 0.0005 } == .mde)
    }

    @Test func messagesNameTheOptionAndTheFix() throws {
        var registration = Self.base()
        registration.targetDeals = 3
        let problem = try #require(throws: HypothesisRegistration.Problem.self) { try registration.validated(against: nil) }
        #expect(
            problem.cliMessage
                == "--target-deals: 3 is fewer than 2 deals per arm — plan at least 4 resolved deals (typically 100–150)")
        #expect(problem.field.fileName == "target_deals")
        #expect(problem.asCLIError.isUsageError)

        // Each of max-days' two rules says itself (0 with min-days 0 is out of range, not "less than min-days 0").
        var noDays = Self.base()
        noDays.minDays = 0
        noDays.maxDays = 0
        let range = try #require(throws: HypothesisRegistration.Problem.self) { try noDays.validated(against: nil) }
        #expect(range.cliMessage.hasPrefix("--max-days: 0 is outside 1…3650"), "\(range.cliMessage)")
        var shorter = Self.base()
        shorter.minDays = 200
        shorter.maxDays = 180
        let order = try #require(throws: HypothesisRegistration.Problem.self) { try shorter.validated(against: nil) }
        #expect(order.cliMessage.hasPrefix("--max-days: 180 is less than min-days 200"), "\(order.cliMessage)")
    }

    @Test func slugFromTitle() {
        #expect(HypothesisRegistration.slug(from: "Final price, in writing!") == "final-price-in-writing")
        #expect(HypothesisRegistration.slug(from: String(repeating: "word ", count: 30)).count <= 64)
        #expect(
            HypothesisRegistration.isSlug("a") && !HypothesisRegistration.isSlug("-a") && !HypothesisRegistration.isSlug("a-"))
        #expect(HypothesisRegistration.isMetricName("test_drive.booked-1") && !HypothesisRegistration.isMetricName(""))
    }

    @Test func detectableLiftMatchesTheNormalApproximation() {
        // Reference values from Python's statistics.NormalDist (Cohen's h, two-sided).
        let twoArms = RegistrationAdvice.detectableLift(
            baseline: 0.2, targetDeals: 150, weights: [1, 1], alpha: 0.05, power: 0.8)
        #expect(abs(twoArms - 0.2075332678) < 1e-6)
        let unequal = RegistrationAdvice.detectableLift(
            baseline: 0.2, targetDeals: 150, weights: [2, 1], alpha: 0.05, power: 0.8)
        #expect(abs(unequal - 0.2212036991) < 1e-6)
        let threeArms = RegistrationAdvice.detectableLift(
            baseline: 0.2, targetDeals: 150, weights: [1, 1, 1], alpha: 0.05, power: 0.8)
        #expect(abs(threeArms - 0.2865534631) < 1e-6)
        #expect(
            RegistrationAdvice.detectableLift(baseline: 0.95, targetDeals: 8, weights: [1, 1], alpha: 0.05, power: 0.8)
                == .infinity)
    }

    @Test func warnsOnlyWhenTheMDEIsBelowWhatTheTargetDetects() throws {
        var plan = try Self.base().validated(against: nil).plan
        #expect(RegistrationAdvice.warning(for: plan)?.contains("+20.8 pp") == true)
        plan.targetDeals = 400
        #expect(RegistrationAdvice.warning(for: plan) == nil)
    }

    /// The `journeylab plan` call the warning suggests describes this plan, not a default 1:1 one.
    @Test func theSuggestedPlanCommandCarriesThePlansAllocationAlphaAndPower() throws {
        var plan = try Self.base().validated(against: nil).plan
        let plain = try #require(RegistrationAdvice.warning(for: plan))
        #expect(plain.contains("`journeylab plan --baseline 0.2 --mde 0.15`"), "\(plain)")
        plan.arms = [.init(name: "control", weight: 2, isControl: true), .init(name: "sms", weight: 1, isControl: false),
                     .init(name: "call", weight: 1, isControl: false)]
        plan.alpha = 0.1
        plan.power = 0.9
        let specific = try #require(RegistrationAdvice.warning(for: plan))
        #expect(specific.contains("`journeylab plan --baseline 0.2 --mde 0.15 --weights 2,1,1 --alpha 0.1 --power 0.9`"),
                "\(specific)")
    }
}
