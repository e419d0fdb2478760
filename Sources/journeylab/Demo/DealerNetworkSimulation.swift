import Foundation

/// The simulated dealer network of the demo: who arrives when, which stages a deal passes, and what
/// happens to it — with true effects that differ by hypothesis, so the report has something to find.
///
/// - accessories-email-chain: a clear win (add-on purchase 20% → 55%);
/// - final-price-offer: no effect on closing;
/// - waiting-status-chain: harmful (closing 80% → 55%: too many messages, customers cancel);
/// - questions-before-test-drive and signing-gift: small lifts the planned deals may not resolve.
struct DealerNetworkSimulation: Sendable {
    static let dealers = [
        "moscow-north", "moscow-south", "saint-petersburg", "kazan", "yekaterinburg", "novosibirsk", "samara",
        "krasnodar",
    ]
    /// Stages in funnel order at which the CRM asks for arms.
    static let stages = ["choose-dealer", "first-visit", "sign-deal", "wait-for-car"]

    /// One deal's path, fixed before any arm is known.
    struct Deal: Sendable {
        var id: String
        var dealer: String
        var segment: String
        /// Days after the start of the simulated period.
        var arrivalDay: Double
        var closeDay: Double
    }

    /// What happened to a deal once its arms are known.
    struct Outcome: Sendable, Equatable {
        var testDriveBooked: Bool
        var addonValue: Double?
        var reviewLeft: Bool
        var won: Bool
    }

    let seed: UInt64
    let dealCount: Int
    let periodDays: Double

    init(seed: UInt64, dealCount: Int = 320, periodDays: Double = 150) {
        self.seed = seed
        self.dealCount = dealCount
        self.periodDays = periodDays
    }

    /// Deals per dealer, each dealer's deals in arrival order (dealers differ in size).
    func deals() -> [String: [Deal]] {
        var random = DemoRandom(seed: seed, stream: "network")
        let sizes = Self.dealers.map { _ in Double.random(in: 0.6...1.6, using: &random) }
        let total = sizes.reduce(0, +)
        var result: [String: [Deal]] = [:]
        var number = 0
        for (index, dealer) in Self.dealers.enumerated() {
            let count = index == Self.dealers.count - 1
                ? dealCount - number : Int((Double(dealCount) * sizes[index] / total).rounded())
            var deals: [Deal] = []
            for _ in 0..<max(0, count) {
                number += 1
                let arrival = Double.random(in: 0..<(periodDays - 40), using: &random)
                deals.append(
                    Deal(
                        id: String(format: "crm-%05d", number), dealer: dealer,
                        segment: random.chance(0.85) ? "family-men-30" : "other",
                        arrivalDay: arrival, closeDay: arrival + Double.random(in: 15...40, using: &random)))
            }
            result[dealer] = deals.sorted { $0.arrivalDay < $1.arrivalDay }
        }
        return result
    }

    /// Draws the deal's outcome from its arms (hypothesis key → arm), deterministically per deal.
    func outcome(for deal: Deal, arms: [String: String]) -> Outcome {
        var random = DemoRandom(seed: seed, stream: deal.id)
        func treated(_ key: String) -> Bool { arms[key].map { $0 != "control" } ?? false }
        let testDrive = random.chance(treated("questions-before-test-drive") ? 0.50 : 0.42)
        let addon = random.chance(treated("accessories-email-chain") ? 0.55 : 0.20)
        let addonValue = addon ? (Double.random(in: 20_000...120_000, using: &random) / 100).rounded() * 100 : nil
        let review = random.chance(treated("signing-gift") ? 0.40 : 0.30)
        // Closing: the final price offer changes nothing; the waiting-period status chain hurts.
        let won = random.chance(treated("waiting-status-chain") ? 0.55 : 0.80)
        return Outcome(testDriveBooked: testDrive, addonValue: addonValue, reviewLeft: review, won: won)
    }
}
