import Foundation
import JourneyLab
import NIOCore
import Testing

@testable import Server

/// The hand-written JSON of the assignment route against Foundation's encoder and decoder (the reference).
@Suite("JSON fast paths: flat request bodies and the assignment response")
struct JSONFastPathTests {
    static let awkward = [
        "D-1001", "dealer/7", #"quote " and backslash \"#, "tab\tnew\nline\rreturn", "bell\u{07}unit\u{1F}",
        "Дилер-Москва", "emoji 🚗🔑", "e\u{301} combining", "line\u{2028}separator", "nul-free ∅",
    ]

    @Test("the assignment response decodes to the same value, and matches JSONEncoder byte for byte", arguments: awkward)
    func assignmentResponse(text: String) throws {
        let result = AssignmentResult(
            dealID: text,
            assignments: [
                .init(hypothesisKey: "accessories-email", arm: "treatment", apply: true),
                .init(hypothesisKey: text, arm: text, apply: false),
            ])
        let empty = AssignmentResult(dealID: text, assignments: [])
        let warned = AssignmentResult(dealID: text, assignments: [], warnings: [AssignmentResult.unknownStageWarning(text), text])
        for value in [result, empty, warned] {
            let ours = Data(JSONText.bytes(value))
            #expect(try JSONDecoder().decode(AssignmentResult.self, from: ours) == value)
            if !text.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                // Foundation may spell control-character escapes differently; everything else must be identical.
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                #expect(String(decoding: ours, as: UTF8.self) == String(decoding: try encoder.encode(value), as: UTF8.self))
            }
        }
    }

    @Test("a problem document reads back with Foundation's decoder, members in RFC 9457's order", arguments: awkward)
    func problemDocument(text: String) throws {
        var problem = Problem(.unprocessableContent, text, field: text)
        problem.ready = false
        let bytes = problem.body(requestID: text).readableBytesView
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["detail"] as? String == text && object["field"] as? String == text)
        #expect(object["request_id"] as? String == text && object["status"] as? Int == 422)
        #expect(object["type"] as? String == problem.type && object["title"] as? String == problem.title)
        #expect(object["ready"] as? Bool == false && object.count == 7)
        let keys = ["\"type\":", "\"title\":", "\"status\":", "\"detail\":", "\"field\":", "\"request_id\":", "\"ready\":"]
        let written = String(decoding: bytes, as: UTF8.self)
        let positions = keys.compactMap { written.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted(), "\(written)")
        #expect(written.hasPrefix("{\"type\":"))
        let bare = Problem(.notFound, "no such resource").body(requestID: nil)
        #expect(String(buffer: bare).hasSuffix("\"detail\":\"no such resource\"}"))
    }

    @Test("a flat object's members are captured as JSONDecoder reads them, escapes included")
    func flatCapture() throws {
        let bodies = [
            #"{"deal_id":"D-1","dealer_id":"dealer-7","stage":"first-visit"}"#,
            #" { "a" : "\u00e9\u0301" , "b":"\ud83d\ude97", "c":"\/\\\"\b\f\n\r\t", "d":"" } "#,
            #"{"x":"Дилер","y":"🚗"}"#,
            "{}",
        ]
        for body in bodies {
            let bytes = Array(body.utf8)
            let captured = try #require(try JSONSyntax.checkCapturing(bytes).flatObject, "\(body)")
            #expect(captured == (try JSONDecoder().decode([String: String].self, from: Data(bytes))), "\(body)")
        }
    }

    @Test("bodies that are not one flat object of strings are not captured")
    func notFlat() throws {
        for body in [
            #"{"deal_id":"D-1","attributes":{"a":"b"}}"#, #"{"a":"b","n":1}"#, #"{"a":null}"#, #"{"a":true}"#,
            #"{"a":["b"]}"#, #"["a","b"]"#, #""a""#, "12",
        ] {
            #expect(try JSONSyntax.checkCapturing(Array(body.utf8)).flatObject == nil, "\(body)")
        }
    }

    /// The captured event batch and the one `JSONDecoder` reads from the same bytes.
    static func bothWays(_ body: String) throws -> (captured: EventController.Batch?, decoded: EventController.Batch) {
        let bytes = Array(body.utf8)
        return (EventController.Batch(captured: try JSONSyntax.checkCapturing(bytes)),
                try JSONDecoder().decode(EventController.Batch.self, from: Data(bytes)))
    }

    @Test("an event batch is captured as JSONDecoder reads it: strings with escapes, values as the same Decimal")
    func eventRecords() throws {
        let literals = [
            "19.5", "0", "-0", "1e3", "1E-2", "2.5e+3", "123456789012345678901234567890", "0.000001", "1.5e10", "-12.25",
            "99.99", "0.1", "3.14159265358979323846264338327950288", "1e-30", "1234567890123456789012345678901234567890", "1e60", "-0.0", "5E+0",
        ]
        let events = literals.enumerated().map { index, literal in
            #"{"event_id":"e-\#(index)","deal_id":"D-\#(index)\u00e9","type":"addon_purchased","value":\#(literal)}"#
        } + [
            #"{"deal_id":"D-x","type":"stage_reached","stage":"first-visit","occurred_at":"2026-11-24T10:00:00Z"}"#,
            #"{ "type" : "closed_won" , "deal_id" : "D-\"q\"\\" }"#,
        ]
        let (captured, decoded) = try Self.bothWays(#"{"events":[\#(events.joined(separator: ","))]}"#)
        let fast = try #require(captured)
        #expect(fast.events.map(\.input) == decoded.events.map(\.input))
        #expect(fast.events.count == literals.count + 2)
        #expect(try Self.bothWays(#"{"events":[]}"#).captured?.events.isEmpty == true)
    }

    @Test("event batches of another shape, or with unknown fields or wrong types, go to the decoder")
    func notRecords() throws {
        for body in [
            #"{"events":[{"deal_id":"D","type":"t"}],"extra":"x"}"#, #"{"extra":"x","events":[{"deal_id":"D","type":"t"}]}"#,
            #"{"events":[{"deal_id":"D","type":"t","payload":{"a":1}}]}"#, #"{"events":[{"deal_id":"D","type":"t","value":null}]}"#,
            #"{"events":[{"deal_id":"D","type":"t","stage":true}]}"#, #"{"events":["D"]}"#, #"{"events":[["D"]]}"#,
            #"{"events":{"deal_id":"D"}}"#, #"[{"deal_id":"D","type":"t"}]"#,
        ] {
            #expect(try JSONSyntax.checkCapturing(Array(body.utf8)).records == nil, "\(body)")
        }
        for body in [
            #"{"items":[{"deal_id":"D","type":"t"}]}"#, #"{"events":[{"deal_id":"D","type":"t","colour":"red"}]}"#,
            #"{"events":[{"deal_id":7,"type":"t"}]}"#, #"{"events":[{"deal_id":"D","type":"t","value":"12"}]}"#,
            #"{"events":[{"type":"t"}]}"#, #"{"events":[{"deal_id":"D","type":"t"},{}]}"#,
        ] {
            #expect(EventController.Batch(captured: try JSONSyntax.checkCapturing(Array(body.utf8))) == nil, "\(body)")
        }
    }

    @Test("the assignment body takes a flat object only with exactly its fields; the rest goes to the decoder")
    func assignmentBody() {
        let base = ["deal_id": "D-1", "dealer_id": "dealer-7", "stage": "first-visit"]
        let body = AssignmentController.Body(captured: .init(flatObject: base))
        #expect(body?.dealID == "D-1" && body?.dealerID == "dealer-7" && body?.stage == "first-visit" && body?.segment == nil)
        var withSegment = base
        withSegment["segment"] = "family-men-30"
        #expect(AssignmentController.Body(captured: .init(flatObject: withSegment))?.segment == "family-men-30")
        var unknown = base
        unknown["dealer"] = "x"
        #expect(AssignmentController.Body(captured: .init(flatObject: unknown)) == nil)
        for missing in base.keys {
            var partial = base
            partial[missing] = nil
            #expect(AssignmentController.Body(captured: .init(flatObject: partial)) == nil, "without \(missing)")
        }
    }

    @Test("printable ASCII ids take the short check; it agrees with the full rules for every ASCII character")
    func externalIDs() {
        for value in UInt8(0)..<0x80 {
            let text = "id-" + String(UnicodeScalar(value)) + "-x"
            let isControl = value < 0x20 || value == 0x7F
            #expect((ExternalID.problem(text, field: "deal_id") == nil) == !isControl, "byte \(value)")
        }
        #expect(ExternalID.problem(String(repeating: "a", count: 128), field: "deal_id") == nil)
        #expect(ExternalID.problem(String(repeating: "a", count: 129), field: "deal_id")?.contains("got 129") == true)
        #expect(ExternalID.problem("", field: "deal_id")?.contains("got 0") == true)
        #expect(ExternalID.problem("e\u{301}", field: "deal_id")?.contains("NFC") == true)
        #expect(ExternalID.problem("Дилер", field: "deal_id") == nil)
        // Bidirectional controls reorder what a report shows ("Trojan Source"); joiners are text.
        #expect(ExternalID.problem("deal-\u{202E}1a", field: "deal_id")?.contains("control characters") == true)
        #expect(ExternalID.problem("deal-\u{2066}1", field: "deal_id")?.contains("control characters") == true)
        #expect(ExternalID.problem("👨\u{200D}👩", field: "deal_id") == nil)
        #expect(ExternalID.problem("صفقة\u{200F}-42", field: "deal_id") == nil)  // a direction mark reorders nothing
    }
}
