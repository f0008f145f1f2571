import Hummingbird
import RelayCore

/// `GET /healthz`: the process is up, its store answers a read and could take a write within half
/// a second (checked at most once a second; 503 otherwise, so that a load balancer or an operator
/// sees a write-locked store before requests start failing).
struct HealthRoutes<Context: RequestContext> {
    let relay: Relay
    let writeProbe = WriteProbe()

    /// The last write probe's answer, kept for a second so that a flood of health checks cannot
    /// contend for the write lock.
    actor WriteProbe {
        private var last: (at: ContinuousClock.Instant, writable: Bool)?
        private var running: Task<Bool, Never>?

        func writable(_ relay: Relay) async -> Bool {
            if let last, ContinuousClock.now - last.at < .seconds(1) { return last.writable }
            if let running { return await running.value }
            let task = Task { await relay.operations.storeCanTakeWrites(patience: .milliseconds(500)) }
            running = task
            let writable = await task.value
            running = nil
            last = (ContinuousClock.now, writable)
            return writable
        }
    }

    struct Health: ResponseEncodable {
        let status: String
    }

    func register(on router: Router<Context>) {
        router.get("/healthz") { _, _ -> Health in
            guard await relay.operations.storeAnswersReads() else {
                throw APIError(.serviceUnavailable, code: "unavailable", message: "the store is not answering")
            }
            guard await writeProbe.writable(relay) else {
                throw APIError(.serviceUnavailable, code: "unavailable", message: "the store cannot take writes")
            }
            return Health(status: "ok")
        }
    }
}
