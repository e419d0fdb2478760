import Foundation

/// A stored API key: everything but the secret, which is shown once at creation and kept only as a hash.
public struct APIKey: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var role: Principal.Role
    public var dealerID: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, role: Principal.Role, dealerID: String?, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.role = role
        self.dealerID = dealerID
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, role, dealerID = "dealer", createdAt = "created_at", revokedAt = "revoked_at"
    }

    /// Every key always present: `dealer` and `revoked_at` are null when they do not apply, never missing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(dealerID, forKey: .dealerID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(revokedAt, forKey: .revokedAt)
    }

    /// A newly created key with its secret (the only time the secret exists outside the caller).
    public struct Created: Sendable, Codable, Equatable {
        public var id: String
        public var secret: String
        public var role: Principal.Role
        public var dealer: String?
        public var name: String

        /// `dealer` is null for analyst and admin keys, never missing (the CLI contract lists it).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(secret, forKey: .secret)
            try container.encode(role, forKey: .role)
            try container.encode(dealer, forKey: .dealer)
            try container.encode(name, forKey: .name)
        }
    }
}
