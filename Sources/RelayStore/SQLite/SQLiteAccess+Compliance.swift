import Foundation
import GRDB
import RelayModel

/// Reads and writes for the audit log, legal holds and retention.
extension SQLiteAccess {
    // MARK: - Audit

    func auditSize() throws -> Int64 {
        try Int64.fetchOne(try db.cachedStatement(sql: "SELECT coalesce(max(seq) + 1, 0) FROM audit_event")) ?? 0
    }

    func auditEvents(from seq: Int64, limit: Int) throws -> [AuditRow] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM audit_event WHERE seq >= ? ORDER BY seq LIMIT ?"), arguments: [seq, limit]).map { row in
            AuditRow(seq: row["seq"], line: row["line"], leafHash: row["leaf_hash"], createdAt: row["created_at"])
        }
    }

    func auditCheckpoints() throws -> [CheckpointRow] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM audit_checkpoint ORDER BY tree_size")).map { row in
            CheckpointRow(treeSize: row["tree_size"], note: row["note"], createdAt: row["created_at"])
        }
    }

    func appendAudit(_ row: AuditRow) throws {
        try db.cachedStatement(sql: "INSERT INTO audit_event (seq, line, leaf_hash, created_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [row.seq, row.line, row.leafHash, row.createdAt])
    }

    func insert(_ checkpoint: CheckpointRow) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO audit_checkpoint (tree_size, note, created_at) VALUES (?, ?, ?)").execute(arguments: [checkpoint.treeSize, checkpoint.note, checkpoint.createdAt])
    }

    func pruneAuditLines(before time: StoreTime) throws -> Int {
        try db.cachedStatement(sql: "UPDATE audit_event SET line = NULL WHERE created_at < ? AND line IS NOT NULL").execute(arguments: [time])
        return db.changesCount
    }

    // MARK: - Holds

    func holds() throws -> [HoldRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM legal_hold ORDER BY created_at")).map(Self.hold(from:))
    }

    func hold(threadID: String) throws -> HoldRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM legal_hold WHERE thread_id = ?"), arguments: [threadID]).map(Self.hold(from:))
    }

    func insert(_ hold: HoldRecord) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO legal_hold (thread_id, reason, created_by, created_at) VALUES (?, ?, ?, ?)").execute(arguments: [hold.threadID, hold.reason, hold.createdBy, hold.createdAt])
    }

    func deleteHold(threadID: String) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM legal_hold WHERE thread_id = ?").execute(arguments: [threadID])
        return db.changesCount == 1
    }

    static func hold(from row: Row) -> HoldRecord {
        HoldRecord(threadID: row["thread_id"], reason: row["reason"], createdBy: row["created_by"], createdAt: row["created_at"])
    }

    // MARK: - Retention

    func threadSummaries(after rowAfter: Int64, limit: Int) throws -> (summaries: [ThreadSummary], lastRow: Int64) {
        let rows = try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT t.rowid AS row_number, t.*,
                    (SELECT count(*) FROM message m WHERE m.thread_id = t.id) AS message_count,
                    EXISTS (SELECT 1 FROM legal_hold h JOIN thread held ON held.id = h.thread_id
                            WHERE held.id = t.id OR held.contact_id = t.contact_id) AS held
                FROM thread t WHERE t.rowid > ? ORDER BY t.rowid LIMIT ?
                """),
            arguments: [rowAfter, limit])
        var last = rowAfter
        let summaries = try rows.map { row -> ThreadSummary in
            last = row["row_number"]
            return ThreadSummary(
                thread: try Self.thread(from: row), messageCount: row["message_count"], held: row["held"],
                eraseRequestedAt: row["erase_requested_at"])
        }
        return (summaries, last)
    }

    func closeThread(id: String, at time: StoreTime) throws {
        try db.cachedStatement(sql: "UPDATE thread SET state = 'closed', closed_at = ? WHERE id = ? AND state = 'open'").execute(arguments: [time, id])
    }

    func markEraseRequested(threadID: String, at time: StoreTime) throws {
        try db.cachedStatement(sql: "UPDATE thread SET erase_requested_at = coalesce(erase_requested_at, ?) WHERE id = ?").execute(arguments: [time, threadID])
    }

    func applyRetentionBatch(close: [PlannedClose], purge: [String], deleteMetadata: [String], at time: StoreTime) throws -> RetentionBatchResult {
        var result = RetentionBatchResult()
        // A hold on any thread of a contact covers every thread of that contact.
        let notHeld = """
            NOT EXISTS (SELECT 1 FROM legal_hold h JOIN thread held ON held.id = h.thread_id
                        WHERE held.id = thread.id OR held.contact_id = thread.contact_id)
            """
        func json(_ value: some Encodable) throws -> String {
            String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        }
        if !close.isEmpty {
            // Only if nothing happened since planning: a message acknowledged meanwhile keeps it open.
            try db.cachedStatement(sql: """
                UPDATE thread SET state = 'closed', closed_at = ?2
                WHERE id IN (SELECT json_extract(value, '$.threadID') FROM json_each(?1)) AND state = 'open' AND \(notHeld)
                  AND last_activity_at <= (
                    SELECT json_extract(planned.value, '$.lastActivityAt') FROM json_each(?1) planned
                    WHERE json_extract(planned.value, '$.threadID') = thread.id)
                """).execute(arguments: [try json(close), time])
            result.closed = db.changesCount
        }
        if !purge.isEmpty {
            let ids = try json(purge)
            // Closed threads only (or ones whose erasure the survivor asked for): an open thread,
            // such as one retention could not close because a message just arrived, keeps its content.
            let purgeable = "(state = 'closed' OR erase_requested_at IS NOT NULL)"
            try db.cachedStatement(sql: """
                DELETE FROM message WHERE thread_id IN (
                    SELECT id FROM thread WHERE id IN (SELECT value FROM json_each(?1)) AND state <> 'erased' AND \(purgeable) AND \(notHeld))
                """).execute(arguments: [ids])
            result.purgedMessages = db.changesCount
            try db.cachedStatement(sql: """
                UPDATE thread SET state = 'erased', wrapped_key = NULL, kek_version = NULL, key_version = NULL,
                    erased_at = coalesce(erased_at, ?2), closed_at = coalesce(closed_at, ?2)
                WHERE id IN (SELECT value FROM json_each(?1)) AND state <> 'erased' AND \(purgeable) AND \(notHeld)
                """).execute(arguments: [ids, time])
            result.purgedThreads = db.changesCount
        }
        if !deleteMetadata.isEmpty {
            try db.cachedStatement(sql: """
                DELETE FROM thread WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'erased' AND \(notHeld)
                """).execute(arguments: [try json(deleteMetadata)])
            result.metadataDeleted = db.changesCount
        }
        return result
    }

    /// Nothing left to keep: no thread with content, no held thread, no live webchat session, and a
    /// contact that never wrote only once it has been idle long enough (`?1`).
    static let nothingLeft = """
        NOT EXISTS (SELECT 1 FROM thread t WHERE t.contact_id = contact.id AND t.state <> 'erased')
        AND NOT EXISTS (SELECT 1 FROM thread t JOIN legal_hold h ON h.thread_id = t.id WHERE t.contact_id = contact.id)
        AND NOT EXISTS (SELECT 1 FROM webchat_session s WHERE s.contact_id = contact.id)
        AND (EXISTS (SELECT 1 FROM thread t WHERE t.contact_id = contact.id) OR contact.created_at < ?1)
        """

    func deleteContactsWithoutContent(idleBefore: StoreTime, keepDoNotContact: Bool, at time: StoreTime) throws -> Int {
        try deleteContacts(where: Self.nothingLeft, arguments: [idleBefore, time], keepDoNotContact: keepDoNotContact)
    }

    func deleteContactsWithoutContent(ofThreads threadIDs: [String], keepDoNotContact: Bool, at time: StoreTime) throws -> Int {
        guard !threadIDs.isEmpty else { return 0 }
        let ids = String(decoding: try JSONEncoder().encode(threadIDs), as: UTF8.self)
        // Contacts that wrote (they have these threads), so the idle rule (`?1`) never applies.
        return try deleteContacts(
            where: "contact.id IN (SELECT contact_id FROM thread WHERE id IN (SELECT value FROM json_each(?3))) AND \(Self.nothingLeft)",
            arguments: [0, time, ids], keepDoNotContact: keepDoNotContact)
    }

    private func deleteContacts(where condition: String, arguments: StatementArguments, keepDoNotContact: Bool) throws -> Int {
        if keepDoNotContact {
            try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO suppressed_address (address_index, created_at)
                SELECT address_index, ?2 FROM contact WHERE do_not_contact = 1 AND \(condition)
                """).execute(arguments: arguments)
        }
        try db.cachedStatement(sql: "DELETE FROM contact WHERE \(condition) AND ?2 IS NOT NULL").execute(arguments: arguments)
        return db.changesCount
    }

    func deleteExpiredSessions(webchatSeenBefore: StoreTime, staffSeenBefore: StoreTime, staffCreatedBefore: StoreTime) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM webchat_session WHERE last_seen_at < ?").execute(arguments: [webchatSeenBefore])
        var deleted = db.changesCount
        try db.cachedStatement(sql: "DELETE FROM api_session WHERE last_seen_at < ? OR created_at < ?").execute(arguments: [staffSeenBefore, staffCreatedBefore])
        deleted += db.changesCount
        return deleted
    }

    func pruneHandledDeliveries(before time: StoreTime) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM handled_delivery WHERE created_at < ?").execute(arguments: [time])
        return db.changesCount
    }

    // MARK: - Pending audit

    func pendingAudit(limit: Int) throws -> [PendingAuditRow] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM pending_audit ORDER BY id LIMIT ?"), arguments: [limit]).map { row in
            PendingAuditRow(id: row["id"], event: row["event"], createdAt: row["created_at"])
        }
    }

    func pendingAuditCount() throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: "SELECT count(*) FROM pending_audit")) ?? 0
    }

    func insertPendingAudit(event: String, at time: StoreTime) throws {
        try db.cachedStatement(sql: "INSERT INTO pending_audit (event, created_at) VALUES (?, ?)").execute(arguments: [event, time])
    }

    func deletePendingAudit(ids: [Int64]) throws {
        for id in ids {
            try db.cachedStatement(sql: "DELETE FROM pending_audit WHERE id = ?").execute(arguments: [id])
        }
    }
}
