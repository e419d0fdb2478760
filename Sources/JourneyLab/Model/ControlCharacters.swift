/// Control characters (Unicode category Cc: the C0 range, DEL, the C1 range), refused in ids, names, titles and
/// journey text: PostgreSQL refuses NUL, and a terminal acts on an escape sequence when the text is printed.
public enum ControlCharacters {
    /// The first control character of `text` that is not in `allowed`, if any.
    public static func first(in text: some StringProtocol, allowing allowed: Set<Unicode.Scalar> = []) -> Unicode.Scalar? {
        text.unicodeScalars.first { $0.properties.generalCategory == .control && !allowed.contains($0) }
    }

    /// True when `text` holds a control character.
    public static func occur(in text: some StringProtocol) -> Bool { first(in: text) != nil }

    /// `text` without its control characters, for quoting it in a message.
    public static func removed(from text: some StringProtocol) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }))
    }

    /// `U+001B`, for messages.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
