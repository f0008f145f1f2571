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
    }
}
