/// Control characters, refused in ids, names, titles and journey text: Unicode category Cc (the C0 range, DEL,
/// the C1 range), since PostgreSQL refuses NUL and a terminal acts on an escape sequence when the text is printed;
/// and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a report or
/// a terminal show text in another order than it is stored ("Trojan Source"): a key that reads `h-email` may hold
/// something else. The direction marks (U+200E, U+200F, U+061C) and the joiners (U+200C, U+200D) stay: they
/// reorder nothing, and right-to-left scripts and emoji need them.
public enum ControlCharacters {
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }

    /// The first control character of `text` that is not in `allowed`, if any.
    public static func first(in text: some StringProtocol, allowing allowed: Set<Unicode.Scalar> = []) -> Unicode.Scalar? {
        text.unicodeScalars.first { isControl($0) && !allowed.contains($0) }
    }

    /// True when `text` holds a control character.
    public static func occur(in text: some StringProtocol) -> Bool { first(in: text) != nil }

    /// `text` without its control characters, for quoting it in a message.
    public static func removed(from text: some StringProtocol) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { !isControl($0) }))
    }

    /// `U+001B`, for messages.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
