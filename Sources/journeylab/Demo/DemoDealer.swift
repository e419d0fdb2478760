import Foundation
import JourneyLab

/// One dealer's CRM: enrolls its deals stage by stage, then reports what happened in batches — and, like
/// real CRMs, sometimes repeats a request it already sent.
struct DemoDealer: Sendable {
    let dealer: String
    let secret: String
    let deals: [DealerNetworkSimulation.Deal]
    let simulation: DealerNetworkSimulation
    let api: DemoAPIClient
    let periodStart: Date
    let now: Date
    let progress: DemoProgress

    struct Tally: Sendable {
        var deals = 0
        var assignmentRequests = 0
        var eventRequests = 0
        var eventsSent = 0
        var eventsAcknowledged = 0
        var duplicatesReported = 0
        var retries = 0

        mutating func add(_ other: Tally) {
            deals += other.deals
            assignmentRequests += other.assignmentRequests
            eventRequests += other.eventRequests
            eventsSent += other.eventsSent
            eventsAcknowledged += other.eventsAcknowledged
            duplicatesReported += other.duplicatesReported
            retries += other.retries
        }
    }

    struct Event: Encodable, Sendable {
        var event_id: String
        var deal_id: String
        var type: String
        var stage: String?
        var value: Double?
        var occurred_at: Date
    }

    struct EventBatch: Encodable { var events: [Event] }
    struct EventAnswer: Decodable { var accepted: Int; var duplicates: Int }

    func run() async throws -> Tally {
        var tally = Tally()
        var random = DemoRandom(seed: simulation.seed, stream: "crm:" + dealer)
        var pending: [Event] = []
        for deal in deals {
            var arms: [String: String] = [:]
            for (index, stage) in DealerNetworkSimulation.stages.enumerated() {
                let request = AssignmentRequest(dealID: deal.id, dealerID: dealer, stage: stage, segment: deal.segment)
                let (answer, retries) = try await api.post("/v1/assignments", secret: secret, body: request, as: AssignmentResult.self)
                tally.assignmentRequests += 1
                tally.retries += retries
                if random.chance(0.05) {
                    // The CRM asks again (a double click, a retried timeout): it must get the same arms.
                    let (again, _) = try await api.post("/v1/assignments", secret: secret, body: request, as: AssignmentResult.self)
                    tally.assignmentRequests += 1
                    guard Set(again.assignments.map { "\($0.hypothesisKey)=\($0.arm)" })
                        == Set(answer.assignments.map { "\($0.hypothesisKey)=\($0.arm)" })
                    else { throw DemoAPIClient.Failure(status: 200, body: "a repeated assignment changed arms for \(deal.id)") }
                }
                for assignment in answer.assignments { arms[assignment.hypothesisKey] = assignment.arm }
                pending.append(
                    Event(
                        event_id: "\(deal.id)-stage-\(stage)", deal_id: deal.id, type: "stage_reached", stage: stage, value: nil,
                        occurred_at: day(deal.arrivalDay + Double(index) * 3)))
            }
            let outcome = simulation.outcome(for: deal, arms: arms)
            if outcome.testDriveBooked {
                pending.append(event(deal, "test_drive_booked", at: deal.arrivalDay + 3.5))
            }
            if let value = outcome.addonValue {
                var addon = event(deal, "addon_purchased", at: deal.arrivalDay + 8)
                addon.value = value
                pending.append(addon)
            }
            pending.append(event(deal, outcome.won ? "closed_won" : "closed_lost", at: deal.closeDay))
            if outcome.reviewLeft { pending.append(event(deal, "review_left", at: deal.closeDay + 0.5)) }
            tally.deals += 1
            progress.advance()
            if pending.count >= 40 { try await flush(&pending, &tally, &random) }
        }
        try await flush(&pending, &tally, &random)
        return tally
    }

    private func flush(_ pending: inout [Event], _ tally: inout Tally, _ random: inout DemoRandom) async throws {
        guard !pending.isEmpty else { return }
        let batch = EventBatch(events: pending)
        let (answer, retries) = try await api.post("/v1/events", secret: secret, body: batch, as: EventAnswer.self)
        tally.eventRequests += 1
        tally.retries += retries
        tally.eventsSent += pending.count
        tally.eventsAcknowledged += answer.accepted + answer.duplicates
        tally.duplicatesReported += answer.duplicates
        if random.chance(0.1) {
            // The CRM did not see the answer and sends the whole batch again: nothing may be counted twice.
            let (again, _) = try await api.post("/v1/events", secret: secret, body: batch, as: EventAnswer.self)
            tally.eventRequests += 1
            tally.duplicatesReported += again.duplicates
            guard again.accepted == 0 else {
                throw DemoAPIClient.Failure(status: 200, body: "a repeated event batch was accepted again")
            }
        }
        pending.removeAll()
    }

    private func event(_ deal: DealerNetworkSimulation.Deal, _ type: String, at dayOffset: Double) -> Event {
        Event(event_id: "\(deal.id)-\(type)", deal_id: deal.id, type: type, stage: nil, value: nil, occurred_at: day(dayOffset))
    }

    /// A simulated day as a timestamp, never later than now.
    private func day(_ offset: Double) -> Date {
        min(periodStart.addingTimeInterval(offset * 86_400), now.addingTimeInterval(-60))
    }
}
