import Foundation
import RelayModel

/// Reads of the audit log: events, checkpoints, pending events, inside one consistent snapshot.
public protocol AuditReading {
    /// How many events the audit log holds.
    func auditSize() async throws -> Int64
    /// Up to `limit` audit events from `seq` on, in order.
    func auditEvents(from seq: Int64, limit: Int) async throws -> [AuditRow]
    /// Streams every audit event from `seq` on, in order, without copying: `body` gets the position,
    /// the line's bytes (`nil` once pruned) and the 32-byte leaf hash. Used by verification and checkpoints.
    func forEachAuditLeaf(from seq: Int64, _ body: (Int64, UnsafeRawBufferPointer?, UnsafeRawBufferPointer) throws -> Void) async throws
    /// Every checkpoint, smallest tree first.
    func auditCheckpoints() async throws -> [CheckpointRow]
    /// Audit events recorded while the log could not be written, oldest first.
    func pendingAudit(limit: Int) async throws -> [PendingAuditRow]
    /// How many audit events wait to be appended.
    func pendingAuditCount() async throws -> Int
    /// Audit events appended in [since, until) after position `afterSeq`, oldest first.
    func audit(since: StoreTime, until: StoreTime, afterSeq: Int64, limit: Int) async throws -> [AuditRow]
}

/// Writes of the audit log: events, checkpoints, pending events, inside one transaction.
public protocol AuditWriting: AuditReading {
    /// Appends an audit event at exactly `seq` (which must be the current size).
    func appendAudit(_ row: AuditRow) async throws
    /// Records a checkpoint.
    func insert(_ checkpoint: CheckpointRow) async throws
    /// Removes the lines (not the leaf hashes) of audit events appended before `time`. Returns how many.
    func pruneAuditLines(before time: StoreTime) async throws -> Int
    /// Records an audit event that could not be appended, to append it later.
    func insertPendingAudit(event: String, at time: StoreTime) async throws
    /// Removes pending audit events once appended.
    func deletePendingAudit(ids: [Int64]) async throws
}
