/// What counts as a deal's outcome for a hypothesis — one rule for the report, the progress shown by
/// `hypothesis show` and the lifecycle ticker's `ready` move, so they never disagree.
///
/// A deal is resolved by a `closed_won` or `closed_lost` event, and only events that reached JourneyLab after
/// the deal's assignment count (`received_at >= assigned_at`, both the database's clock, so a CRM's clock
/// cannot move them): the CRM learns the arm from the assignment, so an outcome it reported before — a deal
/// already closed, an add-on already bought — cannot be an effect of the arm and would only dilute the
/// comparison. `occurred_at` is not used for this: it is the CRM's clock, and backfills date events in the past.
enum OutcomeRule {
    static let closingTypes = "('closed_won', 'closed_lost')"
    /// The unique index that holds a deal to one close (sql/040_one_close_per_deal.sql).
    static let oneClosePerDeal = "events_one_close_per_deal"

    static func isClosing(_ type: String) -> Bool { type == "closed_won" || type == "closed_lost" }

    /// A SQL condition true when the assignment aliased `assignment` (columns `deal_id`, `assigned_at`) has a
    /// closing event that counts.
    static func isResolved(assignment: String) -> String {
        """
        EXISTS (SELECT 1 FROM events e
                 WHERE e.deal_id = \(assignment).deal_id AND e.type IN \(closingTypes)
                   AND e.received_at >= \(assignment).assigned_at)
        """
    }

    /// A SQL condition true when the event aliased `event` counts for the assignment aliased `assignment`.
    static func counts(event: String, assignment: String) -> String {
        "\(event).received_at >= \(assignment).assigned_at"
    }
}
