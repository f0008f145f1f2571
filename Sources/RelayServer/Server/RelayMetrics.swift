import CoreMetrics
import Foundation
import Prometheus
import RelayCore
import RelayModel
import Synchronization

/// Prometheus metrics without personal data, through swift-metrics into a registry of this
/// server's own (many servers may share a process, as in the tests, and `MetricsSystem.bootstrap`
/// may run only once). Labels are route templates, methods and statuses, never a path with an id,
/// a token, a number or an address. Served only to the scrape token
/// (``ServerConfiguration/metricsToken``): the queue's size and per-route counts would let an
/// outsider watch for a contact's moment. A scrape costs one aggregate query.
public final class RelayMetrics: Sendable {
    /// The latency buckets, from a cached read to a slow hash or a stalled store.
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// The counter and histogram of each (route, method, status), made once: the registry's own
    /// lookup (name and label validation under its lock) stays off the request path.
    private let handles = Mutex<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// Creates empty metrics with a registry of their own.
    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.buckets
        self.factory = factory
    }

    /// Counts a request and records its latency under its route template.
    func record(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let factory = self.factory
        let (counter, timer) = handles.withLock { handles in
            if let made = handles[key] { return made }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let made = (
                CoreMetrics.Counter(label: "saferelay_http_requests_total", dimensions: dimensions, factory: factory),
                CoreMetrics.Timer(label: "saferelay_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
            handles[key] = made
            return made
        }
        counter.increment()
        let (seconds, attoseconds) = duration.components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Counts a channel event (a blocked message, a voice menu choice, a report): names and labels
    /// are fixed words, never an id, a number or an address.
    func count(_ name: String, _ dimensions: [(String, String)] = []) {
        CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory).increment()
    }

    /// Sets the relay's gauges and returns the Prometheus text exposition.
    func render(relay: Relay) async -> String {
        let now = relay.clock.now()
        if let queue = try? await relay.operations.queueGauges() {
            let longest = queue.oldestWaitingOpenedAt.map { max(0, now.timeIntervalSince(Date(storeTime: $0))) } ?? 0
            gauge("saferelay_queue_open_threads", Double(queue.open))
            gauge("saferelay_queue_waiting_threads", Double(queue.waiting))
            gauge("saferelay_queue_longest_wait_seconds", longest.rounded())
        }
        gauge("saferelay_live_streams", Double(await relay.events.openStreams))
        gauge("saferelay_wal_truncation_pending", await relay.walTruncation.isPending ? 1 : 0)
        if let pending = try? await relay.auditLog.pendingCount() {
            gauge("saferelay_audit_pending_events", Double(pending))
        }
        return registry.emitToString()
    }

    private func gauge(_ name: String, _ value: Double) {
        CoreMetrics.Gauge(label: name, factory: factory).record(value)
    }
}
