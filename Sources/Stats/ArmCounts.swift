/// The counts of one arm of a test: what the analysis starts from.
public struct ArmCounts: Sendable, Hashable, Codable {
    /// The arm's name, e.g. "control" or "email-chain".
    public var name: String
    /// Deals enrolled (assigned) to the arm, resolved or not; used for the sample-ratio check.
    public var enrolled: Int
    /// Resolved deals (closed won or lost).
    public var deals: Int
    /// Resolved deals with the metric's event.
    public var conversions: Int

    /// An arm's counts.
    /// - Parameters:
    ///   - name: the arm's name.
    ///   - enrolled: deals assigned to it; defaults to `deals`.
    ///   - deals: resolved deals.
    ///   - conversions: resolved deals that converted.
    public init(name: String, enrolled: Int? = nil, deals: Int, conversions: Int) {
        self.name = name
        self.enrolled = enrolled ?? deals
        self.deals = deals
        self.conversions = conversions
    }

    /// conversions / deals, or NaN when there are no deals.
    public var rate: Double { deals > 0 ? Double(conversions) / Double(deals) : .nan }
}
