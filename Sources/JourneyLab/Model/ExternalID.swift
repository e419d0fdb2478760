import Foundation

/// Ids that come from outside: deal, dealer, event and segment ids (the `external_id` domain of the schema).
///
/// An id is 1 to 128 Unicode code points (what PostgreSQL's `length` and JSON Schema's `maxLength` count, not
/// Swift's grapheme clusters), has no control characters, and is in Unicode Normalization Form C. NFC is what
/// makes an id mean one thing everywhere: Swift compares strings by canonical equivalence ("é" and "e" + U+0301
/// are equal) while PostgreSQL compares bytes, so two canonically equivalent but differently encoded ids
/// would be one deal to the server's dictionaries and two deals to the database. Among NFC strings, canonical
/// equivalence is byte equality. Everything else (Cyrillic, emoji, right-to-left text, combining marks without
/// a precomposed form) is stored verbatim.
public enum ExternalID {
    public static let maxLength = 128

    /// Why `text` is not a valid id, or nil when it is (`field` names it in the reason).
    public static func problem(_ text: String, field: String) -> String? {
        // Printable ASCII (most ids): one code point per byte, no control characters, already NFC.
        let bytes = text.utf8
        if (1...maxLength).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        let length = text.unicodeScalars.count
        guard length >= 1, length <= maxLength else {
            return "\(field) must be 1 to \(maxLength) characters (Unicode code points), got \(length)"
        }
        if ControlCharacters.occur(in: text) {
            return "\(field) must not contain control characters (tabs, newlines, NUL, right-to-left overrides…)"
        }
        if !isNFC(text) {
            return "\(field) must be in Unicode Normalization Form C (NFC): compose accents with their letters"
        }
        return nil
    }

    /// - Throws: `JourneyLabError.invalidInput` with `field`, saying what is wrong.
    public static func check(_ text: String, field: String) throws {
        if let problem = problem(text, field: field) { throw JourneyLabError.invalid(problem, field: field) }
    }

    /// True when `text` is unchanged by canonical composition (NFC).
    public static func isNFC(_ text: String) -> Bool {
        // Below U+0300 (the first combining mark) nothing composes or reorders.
        if text.unicodeScalars.allSatisfy({ $0.value < 0x300 }) { return true }
        return text.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(text.unicodeScalars)
    }
}
