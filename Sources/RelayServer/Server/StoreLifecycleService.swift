import Dispatch
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
        // Closing waits, blocking, for reads still in flight; on the cooperative pool that wait can
        // starve the very tasks it waits for (two servers closing at once took both threads of a
        // 2-core machine). So it waits on a thread of its own.
        let store = relay.store
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async { done.resume(with: Result { try store.close() }) }
        }
        logger.info("store closed")
    }
}

extension StoreLifecycleService: CustomStringConvertible {
    /// A plain name for lifecycle logs.
    var description: String { "StoreLifecycleService" }
}
