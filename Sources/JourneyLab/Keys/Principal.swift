/// Who is calling the API: a verified API key with its role (and, for dealer keys, its dealer).
public struct Principal: Sendable, Equatable {
    /// What a key may do.
    public enum Role: String, Sendable, Codable, CaseIterable {
        /// Assignments and events for its own `dealer_id` only.
        case dealer
        /// Read hypotheses and reports.
        case analyst
        /// Everything.
        case admin
    }

    public var keyID: String
    public var role: Role
    /// Set exactly for dealer keys.
    public var dealerID: String?

    public init(keyID: String, role: Role, dealerID: String?) {
        self.keyID = keyID
        self.role = role
        self.dealerID = dealerID
    }

    /// The audit-log actor: `key:key_ab12…`.
    public var actor: String { "key:" + keyID }

    /// True when the key may write (assignments, events).
    public var canWrite: Bool { role == .dealer || role == .admin }

    /// True when the key may read hypotheses and reports.
    public var canRead: Bool { role == .analyst || role == .admin }

    /// True when the key may act on a deal of `dealerID` (admin: any; dealer: its own; analyst: none).
    public func mayWrite(forDealer dealerID: String) -> Bool {
        switch role {
        case .admin: return true
        case .dealer: return self.dealerID == dealerID
        case .analyst: return false
        }
    }
}
