/// Checks a request body against the JSON grammar of RFC 8259 before `JSONDecoder` reads it, because the decoder
/// forgives more than the API promises: it accepts a trailing comma, lets a repeated field silently replace the
/// first one (a proxy and this server could then read different values from one body), and reports a number it
/// cannot represent as "not JSON" without saying where. Also refused here, naming the field: `\u0000` (no field
/// may hold NUL), an unpaired surrogate escape, nesting deeper than `maxDepth`, a number with more than
/// `maxDigits` significant digits (`maxTotalDigits` in all) or beyond 1e±`maxMagnitude`.
///
/// One pass without recursion: a hostile body costs time linear in its size and a constant amount of stack.
/// The input must already be valid UTF-8 (`StrictJSON` checks that first).
struct JSONSyntax {
    static let maxDepth = 32
    static let maxDigits = 40
    static let maxTotalDigits = 100
    static let maxMagnitude = 60

    /// Why the body was refused; `field` is the JSON path (`events[3].value`) when the fault is inside a field.
    struct Failure: Error, Equatable {
        var message: String
        var field: String?
    }

    private enum Level {
        /// The member being read.
        case object(key: String)
        case array(index: Int)
    }

    private let bytes: [UInt8]
    private var index = 0
    private var stack: [Level] = []
    /// The field names seen so far, one set per open object (kept apart from `stack` so inserting is in place).
    private var names: [Set<String>] = []

    /// What the pass hands over from the two shapes of the hot request bodies, so they need no second parse:
    /// strings decoded as `JSONDecoder` decodes them, numbers as their literal text.
    struct Capture: Equatable {
        enum Scalar: Equatable {
            case string(String)
            case number(String)
        }

        struct Records: Equatable {
            var field: String
            var objects: [[String: Scalar]]
        }

        /// The root object's members, when every one is a string (`{"deal_id": "…", "stage": "…"}`).
        var flatObject: [String: String]?
        /// The objects of the root object's only member, an array, when each holds only strings and numbers
        /// (`{"events": [{…}, {…}]}`).
        var records: Records?
    }

    // Capture state: nil once the body left the shape.
    private var flat: [String: String]? = [:]
    private var records: [[String: Capture.Scalar]]? = []
    private var recordsField: String?
    private var rootMembers = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Checks the body and returns what it captured of the two simple shapes.
    /// - Throws: `Failure` for the first fault.
    static func checkCapturing(_ bytes: [UInt8]) throws -> Capture {
        var checker = JSONSyntax(bytes)
        try checker.run()
        guard bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{") else {
            return Capture()
        }
        var capture = Capture(flatObject: checker.flat)
        if checker.rootMembers == 1, let field = checker.recordsField, let objects = checker.records {
            capture.records = Capture.Records(field: field, objects: objects)
        }
        return capture
    }

    // MARK: Capturing

    /// A container opens as a value at the current depth.
    private mutating func captureOpening(isObject: Bool) {
        switch stack.count {
        case 1:
            rootMembers += 1
            flat = nil
            if !isObject, rootMembers == 1, case .object(let key) = stack[0] { recordsField = key } else { records = nil }
        case 2:
            if isObject { records?.append([:]) } else { records = nil }
        default:
            records = nil
        }
    }

    /// Whether the string value about to be read is captured (so its text must be kept).
    private var capturesString: Bool {
        switch stack.count {
        case 1: return flat != nil
        case 3: return records != nil
        default: return false
        }
    }

    /// A scalar value at the current depth: a string or number with its text, or a literal (nil).
    private mutating func captureScalar(_ scalar: Capture.Scalar?) {
        switch stack.count {
        case 1:
            rootMembers += 1
            records = nil
            if case .string(let text) = scalar, case .object(let key) = stack[0] { flat?[key] = text } else { flat = nil }
        case 3:
            if let scalar, records != nil, case .object(let key) = stack[2] {
                records![records!.count - 1][key] = scalar
            } else {
                records = nil
            }
        default:
            records = nil
        }
    }

    // MARK: Paths and failures

    private var path: String? {
        guard !stack.isEmpty else { return nil }
        var text = ""
        for level in stack {
            switch level {
            case .object(let key): text += (text.isEmpty ? "" : ".") + key
            case .array(let index): text += "[\(index)]"
            }
        }
        return text
    }

    private func syntax(_ what: String) -> Failure {
        let place = path.map { " in \($0)" } ?? ""
        return Failure(message: "the body is not valid JSON: \(what)\(place) (byte \(index))", field: path)
    }

    private func inField(_ what: String) -> Failure {
        guard let path else { return Failure(message: "the body \(what)", field: nil) }
        return Failure(message: "field \(path) \(what)", field: path)
    }

    // MARK: The grammar

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func run() throws {
        var wantValue = true
        while true {
            skipSpace()
            if wantValue {
                guard index < bytes.count else { throw syntax(stack.isEmpty ? "the body is empty" : "it ends where a value should be") }
                switch bytes[index] {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard stack.count < Self.maxDepth else { throw inField("is nested deeper than \(Self.maxDepth) levels") }
                    let isObject = bytes[index] == UInt8(ascii: "{")
                    if !stack.isEmpty { captureOpening(isObject: isObject) }
                    index += 1
                    skipSpace()
                    if index < bytes.count, bytes[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        index += 1  // empty: the value is complete
                        wantValue = false
                    } else if isObject {
                        stack.append(.object(key: ""))
                        names.append([])
                        try member()
                    } else {
                        stack.append(.array(index: 0))
                    }
                case UInt8(ascii: "\""):
                    if capturesString {
                        captureScalar(.string(try string(keepText: true) ?? ""))
                    } else {
                        _ = try string(keepText: false)
                        if !stack.isEmpty { captureScalar(nil) }
                    }
                    wantValue = false
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let start = index
                    try number()
                    if stack.count == 3, records != nil {
                        captureScalar(.number(String(decoding: bytes[start..<index], as: UTF8.self)))
                    } else if !stack.isEmpty {
                        captureScalar(nil)
                    }
                    wantValue = false
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    switch bytes[index] {
                    case UInt8(ascii: "t"): try literal("true")
                    case UInt8(ascii: "f"): try literal("false")
                    default: try literal("null")
                    }
                    if !stack.isEmpty { captureScalar(nil) }
                    wantValue = false
                default:
                    throw syntax("unexpected character \(describe(bytes[index]))")
                }
                continue
            }
            guard let top = stack.last else {
                guard index == bytes.count else { throw syntax("characters after the end of the document") }
                return
            }
            guard index < bytes.count else { throw syntax("it ends before the closing bracket") }
            switch (top, bytes[index]) {
            case (.object, UInt8(ascii: ",")):
                index += 1
                try member()
                wantValue = true
            case (.object, UInt8(ascii: "}")):
                index += 1
                stack.removeLast()
                names.removeLast()
            case (.array, UInt8(ascii: "]")):
                index += 1
                stack.removeLast()
            case (.array(let position), UInt8(ascii: ",")):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    stack.removeLast()  // the fault is in the array, not in an element after the last
                    throw syntax("a trailing comma")
                }
                stack[stack.count - 1] = .array(index: position + 1)
                wantValue = true
            case (.object, _):
                throw syntax("expected , or } but found \(describe(bytes[index]))")
            case (.array, _):
                throw syntax("expected , or ] but found \(describe(bytes[index]))")
            }
        }
    }

    /// `"name" :` of an object member; records the name and refuses a repeated one.
    private mutating func member() throws {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                stack.removeLast()  // the fault is in the object, not in its last member
                throw syntax("a trailing comma")
            }
            throw syntax("expected a field name in double quotes")
        }
        let name = try string(keepText: true) ?? ""
        stack[stack.count - 1] = .object(key: name)
        guard names[names.count - 1].insert(name).inserted else { throw inField("appears twice: send each field once") }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw syntax("expected : after the field name") }
        index += 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard index + expected.count <= bytes.count, bytes[index..<(index + expected.count)].elementsEqual(expected) else {
            throw syntax("unexpected character \(describe(bytes[index]))")
        }
        index += expected.count
    }

    /// A string starting at the opening quote; its text when `keepText` (field names).
    private mutating func string(keepText: Bool) throws -> String? {
        index += 1
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return keepText ? String(decoding: text, as: UTF8.self) : nil
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw syntax("an unterminated string") }
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try unicodeEscape()
                    if keepText { text.append(contentsOf: Array(String(Character(scalar)).utf8)) }
                default:
                    throw syntax("an invalid escape \\\(describe(escaped))")
                }
            case 0..<0x20:
                throw syntax("an unescaped control character in a string")
            default:
                if keepText { text.append(byte) }
                index += 1
            }
        }
        throw syntax("an unterminated string")
    }

    /// After `\u`: four hex digits, and a second escape for a surrogate pair.
    private mutating func unicodeEscape() throws -> Unicode.Scalar {
        func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw syntax("an incomplete \\u escape") }
            var value: UInt32 = 0
            for byte in bytes[index..<(index + 4)] {
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte) - 48
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte) - 87
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte) - 55
                default: throw syntax("an incomplete \\u escape")
                }
                value = value * 16 + digit
            }
            index += 4
            return value
        }
        let unit = try hex4()
        if unit == 0 { throw inField("contains a NUL character (\\u0000), which no field may hold") }
        if (0xDC00...0xDFFF).contains(unit) { throw inField("contains an unpaired UTF-16 surrogate escape") }
        if (0xD800...0xDBFF).contains(unit) {
            guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw inField("contains an unpaired UTF-16 surrogate escape")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw inField("contains an unpaired UTF-16 surrogate escape") }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
        }
        return Unicode.Scalar(unit)!
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, within the digit and magnitude limits.
    private mutating func number() throws {
        let start = index
        func digits() -> (count: Int, firstNonZero: Int?) {
            let from = index
            var firstNonZero: Int?
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if firstNonZero == nil, bytes[index] != 48 { firstNonZero = index - from }
                index += 1
            }
            return (index - from, firstNonZero)
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integer = digits()
        guard integer.count > 0 else { throw syntax("a number without digits") }
        if integer.count > 1, bytes[index - integer.count] == 48 { throw syntax("a number with a leading zero") }
        var fraction = (count: 0, firstNonZero: Int?.none)
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fraction = digits()
            guard fraction.count > 0 else { throw syntax("a number without digits after the decimal point") }
        }
        var exponent = 0
        var exponentTooLarge = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var sign = 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                if bytes[index] == UInt8(ascii: "-") { sign = -1 }
                index += 1
            }
            let from = index
            let count = digits().count
            guard count > 0 else { throw syntax("a number without digits in its exponent") }
            if count > 9 {
                exponentTooLarge = true
            } else {
                exponent = sign * bytes[from..<index].reduce(0) { $0 * 10 + Int($1 - 48) }
            }
        }
        // The decimal exponent of the leading non-zero digit (1234.5 → 3, 0.007 → -3); nil for zero.
        let leading: Int?
        if let position = integer.firstNonZero {
            leading = integer.count - 1 - position
        } else if let position = fraction.firstNonZero {
            leading = -(position + 1)
        } else {
            leading = nil
        }
        // Only for messages: built when a limit is broken, not for every number.
        var text: String { String(decoding: bytes[start..<min(index, start + 24)], as: UTF8.self) + (index - start > 24 ? "…" : "") }
        // Significant digits: from the leading non-zero digit on (leading zeros are bounded by the magnitude, but
        // not for a zero, hence the limit on all digits).
        let significant = integer.firstNonZero.map { integer.count - $0 + fraction.count }
            ?? fraction.firstNonZero.map { fraction.count - $0 } ?? 0
        if significant > Self.maxDigits || integer.count + fraction.count > Self.maxTotalDigits {
            throw inField("holds the number \(text) of more than \(Self.maxDigits) significant digits")
        }
        if exponentTooLarge || leading.map({ abs($0 + exponent) > Self.maxMagnitude }) == true {
            throw inField("holds the number \(text), which is out of range (magnitude beyond 1e±\(Self.maxMagnitude))")
        }
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte)
            ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }
}
