import Foundation
import Stats
import Testing

/// Two-sided Fisher where the tie tolerance decides, against scipy (scripts/golden/fisher_ties.py): near-ties
/// that R's 1e-7 would count and scipy does not, and true ties of equal arms that every tolerance must count.
@Suite("Fisher exact test: ties as scipy counts them")
struct FisherTieTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var x1: Int
            var n1: Int
            var x2: Int
            var n2: Int
            var p: Double
        }
        var cases: [Case]
    }

    static let fixture = FixtureFile.load("fisher_ties.json", empty: Fixture(cases: []))

    @Test func fixtureIsPresent() { #expect(Self.fixture.cases.count >= 30) }

    @Test func agreesWithScipy() {
        for golden in Self.fixture.cases {
            let p = FisherExactTest.pValue(successes1: golden.x1, trials1: golden.n1, successes2: golden.x2, trials2: golden.n2)
            #expect(Tolerance.close(p, golden.p, relative: 1e-9), "\(golden.x1)/\(golden.n1) vs \(golden.x2)/\(golden.n2): \(p)")
        }
    }
}
