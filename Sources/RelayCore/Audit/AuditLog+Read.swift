import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// A page of the audit log.
public struct AuditPage: Sendable, Equatable {
    /// One event: its position and canonical JSON line.
    public struct Event: Sendable, Equatable {
        /// Position in the log.
        public var seq: Int64
        /// The canonical JSON object.
        public var line: String
    }

    /// The events, oldest first.
    public var events: [Event]
    /// Pass as `after` for the next page; `nil` at the end.
    public var next: Int64?
}

extension AuditLog {
    /// A page of audit events for compliance and admin: each its canonical JSON line, oldest
    /// first, after position `after` (`nil`: from the start), filtered by actor and thread. At most
    /// `limit` events, and at most ``auditScanBudget`` rows looked at: `next` is where the following
    /// page starts (`nil` at the end), so a filter that matches rarely pages instead of scanning all.
    public func events(
        by identity: StaffIdentity, since: Date, until: Date, actor: String?, threadID: String?, after: Int64? = nil, limit: Int = 100
    ) async throws -> AuditPage {
        try AccessPolicy.requireAuditReader(identity)
        let limit = max(1, min(limit, Self.maximumAuditPage))
        let start = after ?? -1
        let rows = try await store.read { try await $0.audit(since: since.storeTime, until: until.storeTime, afterSeq: start, limit: Self.auditScanBudget) }
        var page = AuditPage(events: [], next: nil)
        for row in rows {
            if let line = row.line, actor.map({ line.contains(#""actor":"\#($0)""#) }) ?? true,
                threadID.map({ line.contains(#""thread":"\#($0)""#) }) ?? true
            {
                page.events.append(AuditPage.Event(seq: row.seq, line: line))
                if page.events.count == limit {
                    page.next = row == rows.last ? (rows.count == Self.auditScanBudget ? row.seq : nil) : row.seq
                    return page
                }
            }
        }
        page.next = rows.count == Self.auditScanBudget ? rows.last?.seq : nil
        return page
    }

    /// Most events in one audit page.
    public static let maximumAuditPage = 1_000
    /// Most rows one audit page reads.
    public static let auditScanBudget = 5_000

    /// How many events the audit log holds.
    public func size() async throws -> Int64 {
        try await store.read { try await $0.auditSize() }
    }
}
