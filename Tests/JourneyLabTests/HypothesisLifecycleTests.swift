import Foundation
import JourneyLab
import Testing

@Suite("Hypothesis lifecycle: every legal and illegal move")
struct HypothesisLifecycleTests {
    typealias Move = HypothesisLifecycle.Move
    typealias Status = Hypothesis.Status

    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// The table, written out independently of the implementation.
    static let legal: [Status: [Move: Status]] = [
        .draft: [.start: .running],
        .scheduled: [.start: .running, .activate: .running, .stop: .stopped],
        .running: [.pause: .paused, .stop: .stopped, .ready: .ready, .expire: .expired],
        .paused: [.resume: .running, .stop: .stopped],
        .ready: [.conclude: .concluded],
        .stopped: [.conclude: .concluded], .expired: [.conclude: .concluded], .concluded: [:],
    ]

    static let pairs: [(Status, Move)] = Status.allCases.flatMap { status in Move.allCases.map { (status, $0) } }

    @Test(arguments: pairs)
    func move(_ status: Status, _ move: Move) throws {
        if let expected = Self.legal[status]?[move] {
            #expect(try HypothesisLifecycle.target(of: move, from: status, key: "h", now: Self.now) == expected)
        } else {
            let error = try #require(throws: JourneyLabError.self) {
                try HypothesisLifecycle.target(of: move, from: status, key: "h", now: Self.now)
            }
            #expect(error.kind == .illegalState)
            #expect(error.isUsageError)
            #expect(error.message.contains("it is \(status.rawValue)"))
            let allowed = HypothesisLifecycle.allowedMoves(from: status)
            if allowed.isEmpty {
                #expect(error.message.contains("is final"))
            } else {
                // The marketer's moves by name; the ticker's only as what it will do, never as a command.
                let manual = allowed.filter { ![.activate, .ready, .expire].contains($0) }.map(\.rawValue)
                if !manual.isEmpty {
                    #expect(error.message.contains("allowed moves are: " + manual.joined(separator: ", ")))
                }
                for tickerMove in allowed where [.activate, .ready, .expire].contains(tickerMove) {
                    #expect(error.message.contains("the lifecycle ticker: "))
                    #expect(error.message.contains(tickerMove.rawValue + " "))
                }
            }
        }
    }

    @Test func allowedMovesMatchTheTable() {
        for status in Status.allCases {
            #expect(Set(HypothesisLifecycle.allowedMoves(from: status)) == Set(Self.legal[status]!.keys), "\(status)")
        }
    }

    @Test func startWithADateAheadSchedules() throws {
        let later = Self.now.addingTimeInterval(86_400)
        #expect(try HypothesisLifecycle.target(of: .start, from: .draft, startAt: later, now: Self.now) == .scheduled)
        #expect(try HypothesisLifecycle.target(of: .start, from: .draft, startAt: Self.now, now: Self.now) == .running)
        // A scheduled hypothesis starts early on `start`, but the ticker's `activate` waits for the date.
        #expect(try HypothesisLifecycle.target(of: .start, from: .scheduled, startAt: later, now: Self.now) == .running)
        #expect(throws: JourneyLabError.self) {
            try HypothesisLifecycle.target(of: .activate, from: .scheduled, startAt: later, now: Self.now)
        }
    }

    @Test func refusalFromRunningSaysTheTickerMarksItReady() throws {
        let error = HypothesisLifecycle.refusal(.conclude, from: .running, key: "accessories-email-chain")
        #expect(
            error.message
                == "cannot conclude hypothesis accessories-email-chain: it is running; from running the allowed moves are: "
                + "pause, stop; the lifecycle ticker: ready once the target deals are resolved and min-days have passed, "
                + "expire when max-days pass")
    }

    @Test func refusalNamesStateAndMoves() throws {
        let error = HypothesisLifecycle.refusal(.pause, from: .draft, key: "accessories-email-chain")
        #expect(
            error.message
                == "cannot pause hypothesis accessories-email-chain: it is draft; from draft the allowed moves are: start")
    }
}

@Suite("Plain dates")
struct PlainDateTests {
    @Test func aDateOrAZonedTime() {
        #expect(PlainDate.parse("2025-03-01") == Date(timeIntervalSince1970: 1_740_787_200))
        #expect(PlainDate.parse("2025-03-01T13:00:00+03:00") == Date(timeIntervalSince1970: 1_740_787_200 + 36_000))
        #expect(PlainDate.parse("2025-03-01T10:00:00Z") == Date(timeIntervalSince1970: 1_740_787_200 + 36_000))
        #expect(PlainDate.parse("2025-03-01T10:00:00") == nil, "a time without a zone is ambiguous")
        #expect(PlainDate.parse("March 1") == nil)
        #expect(PlainDate.format(Date(timeIntervalSince1970: 1_740_787_200)) == "2025-03-01T00:00:00Z")
    }
}
