import Foundation
import Logging
import RelayModel
import RelayStore

/// Audit events of actions that must never wait on the audit log (erasures): when the log cannot be
/// written, the action commits with its events kept here, and they are appended as soon as it can.
extension AuditLog {
    /// The stored form of a pending event.
    struct PendingEvent: Codable {
        var actor: String
        var role: String
        var action: String
        var thread: String?
        var purpose: String?
        var outcome: String
        var details: [String: String]
        /// When the action happened (milliseconds since 1970).
        var at: Int64
    }

    /// Keeps `event` as pending inside the caller's transaction.
    static func recordPending(_ event: AuditEvent, at time: Date, writer: any StoreWriter) async throws {
        let pending = PendingEvent(
            actor: event.actor, role: event.role, action: event.action, thread: event.threadID, purpose: event.purpose, outcome: event.outcome,
            details: event.details, at: time.storeTime)
        let json = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
        try await writer.insertPendingAudit(event: json, at: time.storeTime)
    }

    /// Appends every pending audit event to the log, oldest first, each marked with when its action
    /// happened (`x_happened_at`). Returns how many were appended; throws if the log still cannot be written.
    @discardableResult
    public func flushPending() async throws -> Int {
        let now = clock.now()
        var total = 0
        while true {
            let appended = try await store.write { writer -> Int in
                let rows = try await writer.pendingAudit(limit: 500)
                for row in rows {
                    guard let pending = try? JSONDecoder().decode(PendingEvent.self, from: Data(row.event.utf8)) else {
                        // Never dropped silently: the log says that an event was lost, and when.
                        _ = try await AuditLog.append(
                            AuditEvent(
                                actor: "system", role: "system", action: "audit.pending_unreadable", outcome: "failed",
                                details: ["recorded_at": Date(storeTime: row.createdAt).rfc3339]),
                            at: now, writer: writer)
                        continue
                    }
                    var details = pending.details
                    details["happened_at"] = Date(storeTime: pending.at).rfc3339
                    _ = try await AuditLog.append(
                        AuditEvent(
                            actor: pending.actor, role: pending.role, action: pending.action, threadID: pending.thread, purpose: pending.purpose,
                            outcome: pending.outcome, details: details),
                        at: now, writer: writer)
                }
                try await writer.deletePendingAudit(ids: rows.map(\.id))
                return rows.count
            }
            total += appended
            if appended < 500 { break }
        }
        if total > 0 { logger.notice("pending audit events appended", metadata: ["audit.appended": "\(total)"]) }
        return total
    }

    /// How many audit events wait to be appended.
    public func pendingCount() async throws -> Int {
        try await store.read { try await $0.pendingAuditCount() }
    }
}
