extension KeyedEncodingContainer {
    /// Encodes a finite number as itself and NaN or ±∞ as `null` (JSON has no such numbers).
    mutating func encodeFiniteOrNull(_ value: Double, forKey key: Key) throws {
        if value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// Encodes a missing value as `null` rather than leaving the key out, so every document has the same keys.
    mutating func encodeOrNull<Value: Encodable>(_ value: Value?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a number written by `encodeFiniteOrNull`: `null` (or a missing key) becomes NaN.
    func decodeFiniteOrNaN(forKey key: Key) throws -> Double {
        try decodeIfPresent(Double.self, forKey: key) ?? .nan
    }
}
