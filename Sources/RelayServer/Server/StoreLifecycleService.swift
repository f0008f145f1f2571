import Logging
import RelayCore
import RelayStore
import ServiceLifecycle

/// Keeps the store open while the server runs; on graceful shutdown (SIGINT, SIGTERM), after the
/// server has stopped taking requests, checkpoints the WAL and closes the database.
struct StoreLifecycleService: Service {
    let relay: Relay
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        // Its last attempt is this one, below.
        await relay.walTruncation.stop()
        do {
            try await relay.store.checkpointAndTruncate()
        } catch {
            logger.warning("WAL checkpoint at shutdown incomplete")
        }
        try relay.store.close()
        logger.info("store closed")
    }
}

extension StoreLifecycleService: CustomStringConvertible {
    /// A plain name for lifecycle logs.
    var description: String { "StoreLifecycleService" }
}
