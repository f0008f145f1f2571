import Foundation
import RelayModel
import RelayStore

/// What the edges need to run the relay without reaching into the store: health, gauges, the
/// store's own lifecycle, scheduled compliance work.
extension OperationsService {
    /// Whether the store answers a read now (a cheap indexed lookup).
    public func storeAnswersReads(within patience: Duration = .seconds(5)) async -> Bool {
        // A database that went silent (its host frozen or cut off, no reset) would hold the read
        // until TCP gives up: the answer is "no" once `patience` has passed.
        let store = self.store
        let answered = try? await FirstResult.race(within: patience, timeout: StoreError.unavailable) {
            _ = try await store.read { try await $0.thread(id: "") }
            return true
        }
        return answered ?? false
    }

    /// Whether this instance runs the scheduled work now (always, unless instances share the store:
    /// then one at a time, and another takes over when it dies).
    public func runsScheduledWork() async -> Bool {
        await store.holdsSchedulerLock()
    }

    /// Whether the store could take a write now, waiting at most `patience` for the write lock.
    /// Writes nothing.
    public func storeCanTakeWrites(patience: Duration) async -> Bool {
        await store.canTakeWrites(patience: patience)
    }

    /// The queue's size in three numbers, for `/metrics`.
    public func queueGauges() async throws -> QueueGauges {
        try await store.read { try await $0.queueGauges() }
    }

    /// At shutdown: the last WAL truncation, then the store closed. Closing waits, blocking, for
    /// reads still in flight; on the cooperative pool that wait can starve the very tasks it waits
    /// for, so it waits on a thread of its own. Returns false when the truncation was incomplete.
    public func closeStore() async throws -> Bool {
        await walTruncation.stop()
        var truncated = true
        do {
            try await store.checkpointAndTruncate()
        } catch {
            truncated = false
        }
        let store = self.store
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let thread = Thread { done.resume(with: Result { try store.close() }) }
            thread.start()
        }
        return truncated
    }
}
