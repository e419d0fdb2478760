import Foundation

extension AssignmentRequest {
    /// Checks the request before it reaches the database, naming the field at fault.
    ///
    /// Deal, dealer and segment are external ids (`ExternalID`: 1–128 code points, no control characters,
    /// NFC); the stage is a slug (`choose-dealer`).
    /// - Throws: `JourneyLabError.invalidInput` with `field` set to the JSON key (`deal_id`, `dealer_id`, …).
    public func validate() throws {
        try Self.checkExternalID(dealID, field: "deal_id")
        try Self.checkExternalID(dealerID, field: "dealer_id")
        if let segment { try Self.checkExternalID(segment, field: "segment") }
        guard Self.isSlug(stage) else {
            throw JourneyLabError.invalid(
                "stage \"\(stage.prefix(80))\" is not a stage key: use lowercase letters, digits and inner hyphens, up to 64 characters (e.g. choose-dealer)",
                field: "stage")
        }
        for (key, value) in attributes ?? [:] {
            guard key.unicodeScalars.count <= 128, value.unicodeScalars.count <= 1024 else {
                throw JourneyLabError.invalid(
                    "attribute \"\(key.prefix(40))\" is too long: keys up to 128 and values up to 1024 characters",
                    field: "attributes")
            }
            // Keys are names (shown in reports and CSV headers): 1 or more characters, none of them a control
            // character. Values are free text.
            guard !key.isEmpty, !ControlCharacters.occur(in: key) else {
                throw JourneyLabError.invalid(
                    "attribute key \"\(ControlCharacters.removed(from: key).prefix(40))\" must be 1–128 characters without control characters",
                    field: "attributes")
            }
        }
    }

    static func checkExternalID(_ value: String, field: String) throws {
        try ExternalID.check(value, field: field)
    }

    /// The `slug` domain: `^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$`.
    static func isSlug(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 0x2D }
    }
}
