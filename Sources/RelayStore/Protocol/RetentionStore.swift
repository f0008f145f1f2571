import Foundation
import RelayModel

/// Reads of retention and holds: summaries, set-based batches, maintenance markers, inside one consistent snapshot.
public protocol RetentionReading {
    /// Every legal hold.
    func holds() async throws -> [HoldRecord]
    /// The hold on a thread, if any.
    func hold(threadID: String) async throws -> HoldRecord?
    /// Whether a hold stands on any thread of the contact (a hold covers the whole contact).
    func isContactHeld(contactID: String) async throws -> Bool
    /// Threads opened in [since, until) (for statistics), at most `limit`.
    func threads(openedSince since: StoreTime, until: StoreTime, limit: Int) async throws -> [ThreadRecord]
    /// Whether a one-time maintenance job has run.
    func isMaintenanceDone(_ name: String) async throws -> Bool
    /// Up to `limit` thread summaries after `rowAfter` (0 to start), with the row number to continue from.
    func threadSummaries(after rowAfter: Int64, limit: Int) async throws -> (summaries: [ThreadSummary], lastRow: Int64)
}

/// Writes of retention and holds: summaries, set-based batches, maintenance markers, inside one transaction.
public protocol RetentionWriting: RetentionReading {
    /// Places a hold (replacing its reason if one stands).
    func insert(_ hold: HoldRecord) async throws
    /// Releases a hold. Returns false if there was none.
    func deleteHold(threadID: String) async throws -> Bool
    /// Carries out one retention batch with set-based statements, skipping held threads (a hold on
    /// any thread of a contact covers all of them): closes the open threads in `close` whose last
    /// activity is still the one planned (a message since then keeps the thread open), crypto-shreds
    /// (key and messages) the threads in `purge` that are closed or whose erasure was requested, and
    /// deletes the metadata rows of erased threads in `deleteMetadata`.
    func applyRetentionBatch(close: [PlannedClose], purge: [String], deleteMetadata: [String], at time: StoreTime) async throws -> RetentionBatchResult
    /// Records that a one-time maintenance job has run (or, for a standing marker, that it is owed).
    func markMaintenanceDone(_ name: String, at time: StoreTime) async throws
    /// Removes a maintenance marker.
    func clearMaintenance(_ name: String) async throws
    /// Forgets handled-delivery records (keyword deduplication) older than `time`. Returns how many.
    func pruneHandledDeliveries(before time: StoreTime) async throws -> Int
}
