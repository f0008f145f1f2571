import RelayCore
import ServiceLifecycle

/// Carries live events between the instances that share a PostgreSQL store for as long as the
/// server runs (added only then).
struct SharedEventsService: Service, CustomStringConvertible {
    let relay: Relay

    var description: String { "SharedEventsService" }

    func run() async throws {
        // Not awaited at shutdown: a notice caught on a connection the database dropped may never
        // come back, and must not keep the server from stopping.
        let carrier = Task { await relay.sharedEvents.run() }
        try? await gracefulShutdown()
        carrier.cancel()
    }
}
