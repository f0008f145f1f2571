import Foundation
import Hummingbird
import RelayCore
import RelayModel

/// Prometheus metrics without personal data: labels are route templates, methods and statuses,
/// never a path with an id, a token, a number or an address. Served only to the scrape token
/// (``ServerConfiguration/metricsToken``): the queue's size and per-route counts would let an
/// outsider watch for a contact's moment. A scrape costs one aggregate query.
public actor RelayMetrics {
    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private var requests: [RequestKey: Int] = [:]
    private var durations: [String: (count: Int, sum: Double)] = [:]

    /// Creates empty metrics.
    public init() {}

    func record(route: String, method: String, status: Int, seconds: Double) {
        requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
        var duration = durations[route] ?? (0, 0)
        duration.count += 1
        duration.sum += seconds
        durations[route] = duration
    }

    /// The Prometheus text exposition.
    func render(relay: Relay) async -> String {
        var out = "# HELP saferelay_http_requests_total HTTP requests by route template, method and status.\n"
        out += "# TYPE saferelay_http_requests_total counter\n"
        for (key, count) in requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "saferelay_http_requests_total{route=\"\(key.route)\",method=\"\(key.method)\",status=\"\(key.status)\"} \(count)\n"
        }
        out += "# HELP saferelay_http_request_seconds Time spent answering, by route template.\n# TYPE saferelay_http_request_seconds summary\n"
        for (route, value) in durations.sorted(by: { $0.key < $1.key }) {
            out += "saferelay_http_request_seconds_count{route=\"\(route)\"} \(value.count)\n"
            out += "saferelay_http_request_seconds_sum{route=\"\(route)\"} \(String(format: "%.6f", value.sum))\n"
        }
        let now = relay.clock.now()
        if let queue = try? await relay.operations.queueGauges() {
            let longest = queue.oldestWaitingOpenedAt.map { max(0, now.timeIntervalSince(Date(storeTime: $0))) } ?? 0
            out += "# HELP saferelay_queue_open_threads Open threads.\n# TYPE saferelay_queue_open_threads gauge\nsaferelay_queue_open_threads \(queue.open)\n"
            out += "# HELP saferelay_queue_waiting_threads Open threads without an advocate reply.\n# TYPE saferelay_queue_waiting_threads gauge\nsaferelay_queue_waiting_threads \(queue.waiting)\n"
            out += "# HELP saferelay_queue_longest_wait_seconds The longest current wait for a first reply.\n# TYPE saferelay_queue_longest_wait_seconds gauge\nsaferelay_queue_longest_wait_seconds \(String(format: "%.0f", longest))\n"
        }
        out += "# HELP saferelay_live_streams Open server-sent event streams.\n# TYPE saferelay_live_streams gauge\nsaferelay_live_streams \(await relay.events.openStreams)\n"
        let owed = await relay.walTruncation.isPending ? 1 : 0
        out += "# HELP saferelay_wal_truncation_pending 1 while deleted bytes may still be in the WAL (a truncation is being retried).\n"
        out += "# TYPE saferelay_wal_truncation_pending gauge\nsaferelay_wal_truncation_pending \(owed)\n"
        if let pending = try? await relay.auditLog.pendingCount() {
            out += "# HELP saferelay_audit_pending_events Audit events of erasures waiting for the log to be writable.\n"
            out += "# TYPE saferelay_audit_pending_events gauge\nsaferelay_audit_pending_events \(pending)\n"
        }
        return out
    }
}

/// Records each request under its route template (unmatched paths as `unmatched`).
struct MetricsRecordingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RelayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let route = context.endpointPath ?? "unmatched"
            let method = request.method.rawValue
            let code = status
            Task { await metrics.record(route: route, method: method, status: code, seconds: seconds) }
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
