import Foundation
import Postgres
import Synchronization

/// The server's Prometheus metrics, rendered in the text exposition format by `/metrics`.
///
/// Kept in-process (a `Mutex` around plain dictionaries) rather than through swift-metrics: a handful of
/// series, no backend to configure, and the output is exactly what the tests and dashboards read.
public final class ServerMetrics: Sendable {
    struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    struct Histogram {
        var buckets: [Int]
        var sum: Double = 0
        var count: Int = 0
    }

    struct State {
        var requests: [RequestKey: Histogram] = [:]
        var eventsAccepted = 0
        var eventsDuplicates = 0
        var eventsUnenrolled = 0
        var enrollments: [String: [String: Int]] = [:]  // hypothesis → arm → count
        var keyRejections: [String: Int] = [:]
    }

    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    private let state = Mutex(State())

    public init() {}

    func recordRequest(method: String, route: String, status: Int, seconds: Double) {
        let key = RequestKey(method: method, route: route, status: status)
        state.withLock { state in
            var histogram = state.requests[key] ?? Histogram(buckets: Array(repeating: 0, count: Self.bounds.count))
            if let bucket = Self.bounds.firstIndex(where: { seconds <= $0 }) { histogram.buckets[bucket] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            state.requests[key] = histogram
        }
    }

    func recordEvents(accepted: Int, duplicates: Int, unenrolled: Int) {
        state.withLock {
            $0.eventsAccepted += accepted
            $0.eventsDuplicates += duplicates
            $0.eventsUnenrolled += unenrolled
        }
    }

    func recordEnrollment(hypothesis: String, arm: String) {
        state.withLock { $0.enrollments[hypothesis, default: [:]][arm, default: 0] += 1 }
    }

    func recordKeyRejection(_ reason: String) {
        state.withLock { $0.keyRejections[reason, default: 0] += 1 }
    }

    /// The exposition text.
    func render(pool: PGPool.Usage) -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        out += "# HELP journeylab_http_requests_total HTTP requests by method, route and status.\n"
        out += "# TYPE journeylab_http_requests_total counter\n"
        let keys = snapshot.requests.keys.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        for key in keys {
            out += "journeylab_http_requests_total{\(labels(key))} \(snapshot.requests[key]!.count)\n"
        }
        out += "# HELP journeylab_http_request_duration_seconds HTTP request latency by method, route and status.\n"
        out += "# TYPE journeylab_http_request_duration_seconds histogram\n"
        for key in keys {
            let histogram = snapshot.requests[key]!
            var cumulative = 0
            for (index, bound) in Self.bounds.enumerated() {
                cumulative += histogram.buckets[index]
                out += "journeylab_http_request_duration_seconds_bucket{\(labels(key)),le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "journeylab_http_request_duration_seconds_bucket{\(labels(key)),le=\"+Inf\"} \(histogram.count)\n"
            out += "journeylab_http_request_duration_seconds_sum{\(labels(key))} \(histogram.sum)\n"
            out += "journeylab_http_request_duration_seconds_count{\(labels(key))} \(histogram.count)\n"
        }
        out += "# HELP journeylab_db_pool_connections Database pool connections by state.\n"
        out += "# TYPE journeylab_db_pool_connections gauge\n"
        out += "journeylab_db_pool_connections{state=\"open\"} \(pool.open)\n"
        out += "journeylab_db_pool_connections{state=\"idle\"} \(pool.idle)\n"
        out += "journeylab_db_pool_connections{state=\"waiting\"} \(pool.waiting)\n"
        out += "journeylab_db_pool_connections{state=\"max\"} \(pool.size)\n"
        out += "# HELP journeylab_events_total Events received through the API by outcome.\n"
        out += "# TYPE journeylab_events_total counter\n"
        out += "journeylab_events_total{outcome=\"accepted\"} \(snapshot.eventsAccepted)\n"
        out += "journeylab_events_total{outcome=\"duplicate\"} \(snapshot.eventsDuplicates)\n"
        out += "journeylab_events_total{outcome=\"unenrolled\"} \(snapshot.eventsUnenrolled)\n"
        out += "# HELP journeylab_enrollments_total Arms returned by POST /v1/assignments, by hypothesis and arm.\n"
        out += "# TYPE journeylab_enrollments_total counter\n"
        for hypothesis in snapshot.enrollments.keys.sorted() {
            for (arm, count) in snapshot.enrollments[hypothesis]!.sorted(by: { $0.key < $1.key }) {
                out += "journeylab_enrollments_total{hypothesis=\"\(escape(hypothesis))\",arm=\"\(escape(arm))\"} \(count)\n"
            }
        }
        out += "# HELP journeylab_auth_rejections_total Requests refused for a missing, unknown or revoked key.\n"
        out += "# TYPE journeylab_auth_rejections_total counter\n"
        for (reason, count) in snapshot.keyRejections.sorted(by: { $0.key < $1.key }) {
            out += "journeylab_auth_rejections_total{reason=\"\(reason)\"} \(count)\n"
        }
        return out
    }

    private func labels(_ key: RequestKey) -> String {
        "method=\"\(key.method)\",route=\"\(escape(key.route))\",status=\"\(key.status)\""
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
