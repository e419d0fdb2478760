/// Why a hypothesis whose decision is `continue` is not collecting deals right now, for the headline of
/// every format: a draft, scheduled or paused test "keeps collecting" only once it starts or resumes.
enum WaitingStatus {
    /// "not started: no deals are enrolled yet" for a draft, and so on; nil for a status that collects.
    static func reason(_ status: String?) -> String? {
        switch status {
        case "draft": return "not started: no deals are enrolled yet"
        case "scheduled": return "scheduled: deals are enrolled from the start date"
        case "paused": return "paused: no new deals are enrolled"
        default: return nil
        }
    }
}
