/// Counts for one arm within one slice (a dealer, a week), aggregated in SQL.
public struct ArmTally: Sendable, Codable, Equatable {
    public var arm: String
    /// Deals enrolled in the arm.
    public var enrolled: Int
    /// Enrolled deals that closed (won or lost): they count toward the planned sample.
    public var deals: Int
    /// Resolved deals with the plan's metric event.
    public var conversions: Int
    /// Sum of the metric events' values (e.g. add-on revenue).
    public var revenue: Double

    public init(arm: String, enrolled: Int = 0, deals: Int = 0, conversions: Int = 0, revenue: Double = 0) {
        self.arm = arm
        self.enrolled = enrolled
        self.deals = deals
        self.conversions = conversions
        self.revenue = revenue
    }

    mutating func add(_ other: ArmTally) {
        enrolled += other.enrolled
        deals += other.deals
        conversions += other.conversions
        revenue += other.revenue
    }
}
