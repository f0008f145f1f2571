import Logging
import RelayCore
import ServiceLifecycle

/// Keeps the store open while the server runs; on graceful shutdown (SIGINT, SIGTERM), after the
/// server has stopped taking requests, checkpoints the WAL and closes the database.
struct StoreLifecycleService: Service {
    let relay: Relay
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        // The last WAL truncation, then the store closed (waiting on a thread of its own).
        if try await !relay.operations.closeStore() {
            logger.warning("WAL checkpoint at shutdown incomplete")
        }
        logger.info("store closed")
    }
}

extension StoreLifecycleService: CustomStringConvertible {
    /// A plain name for lifecycle logs.
    var description: String { "StoreLifecycleService" }
}
