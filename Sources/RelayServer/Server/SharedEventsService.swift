import RelayCore
import ServiceLifecycle

/// Carries live events between the instances that share a PostgreSQL store for as long as the
/// server runs (returns at once on SQLite).
struct SharedEventsService: Service, CustomStringConvertible {
    let relay: Relay

    var description: String { "SharedEventsService" }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await relay.sharedEvents.run()
        }
        // A service that returns early stops the whole group: stay until the server stops.
        try? await gracefulShutdown()
    }
}
