/// How PostgreSQL plans a statement that a connection runs again and again.
///
/// A generic plan saves the planning of every run (for an `INSERT … SELECT FROM unnest(…)` of a batch that is
/// a large share of the statement's cost), but PostgreSQL builds it once, for the table sizes of that moment:
/// a lookup prepared while a table was nearly empty keeps its sequential scan after the table grew (the
/// scheduler's lookups ran 8× slower that way). So the choice is made per statement, by the code that knows it.
public enum PGPlanning: Sendable {
    /// Planned for the actual values and table sizes on every run (sent as an unnamed statement, parsed each
    /// time). Right for lookups whose best plan depends on the values or on how large the tables are.
    case perExecution
    /// Prepared on its second run on a connection; from then on PostgreSQL may reuse a generic plan
    /// (`plan_cache_mode = auto`). Prepared again whenever its run count doubles (see
    /// `PGConnection.reusablePlanLifetime`), so a plan made while tables were small does not outlive their
    /// growth. Right for writes from arrays and for primary-key lookups, whose plans do not depend on the values.
    case reusable
}
