import Foundation
import Hummingbird
import JourneyLab
import NIOCore

/// Hand-written JSON for the hottest response (`POST /v1/assignments`): the same document `JSONResponse`
/// makes with `JSONEncoder` (sorted keys, slashes unescaped), without the encoder's generic machinery, which
/// was ~3% of the server's CPU under assignment load (perf).
enum JSONText {
    private static let hex = Array("0123456789abcdef".utf8)

    /// `text` as a JSON string literal (RFC 8259 §7: quote, backslash and control characters escaped).
    static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// `{"assignments":[{"apply":…,"arm":…,"hypothesis_id":…},…],"deal_id":…[,"warnings":[…]]}`
    static func bytes(_ result: AssignmentResult) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(48 + result.dealID.utf8.count + result.assignments.count * 80)
        output.append(contentsOf: #"{"assignments":["#.utf8)
        for (index, assignment) in result.assignments.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: (assignment.apply ? #"{"apply":true,"arm":"# : #"{"apply":false,"arm":"#).utf8)
            appendString(assignment.arm, to: &output)
            output.append(contentsOf: #","hypothesis_id":"#.utf8)
            appendString(assignment.hypothesisKey, to: &output)
            output.append(UInt8(ascii: "}"))
        }
        output.append(contentsOf: #"],"deal_id":"#.utf8)
        appendString(result.dealID, to: &output)
        if let warnings = result.warnings {
            output.append(contentsOf: #","warnings":["#.utf8)
            for (index, warning) in warnings.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendString(warning, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    static func response(_ result: AssignmentResult) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes(result))))
    }
}
