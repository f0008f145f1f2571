import Foundation
import PostgresNIO
import RelayModel

/// Reads and writes for the audit log, legal holds and retention.
extension PostgresAccess {
    // MARK: - Audit

    func auditSize() async throws -> Int64 {
        try await row("SELECT coalesce(max(seq) + 1, 0) AS size FROM audit_event", table: "audit_event").map { try $0("size", as: Int64.self) } ?? 0
    }

    func auditEvents(from seq: Int64, limit: Int) async throws -> [AuditRow] {
        try await rows("SELECT * FROM audit_event WHERE seq >= \(seq) ORDER BY seq LIMIT \(limit)", table: "audit_event").map(Self.audit(from:))
    }

    func audit(since: StoreTime, until: StoreTime, afterSeq: Int64, limit: Int) async throws -> [AuditRow] {
        try await rows(
            "SELECT * FROM audit_event WHERE seq > \(afterSeq) AND created_at >= \(since) AND created_at < \(until) ORDER BY seq LIMIT \(limit)",
            table: "audit_event"
        ).map(Self.audit(from:))
    }

    /// Reads the log in pages of 10,000 rows (each page's bytes handed over without a copy per field).
    func forEachAuditLeaf(from seq: Int64, _ body: (Int64, UnsafeRawBufferPointer?, UnsafeRawBufferPointer) throws -> Void) async throws {
        var next = seq
        while true {
            let page = try await connection.query(
                "SELECT seq, line, leaf_hash FROM audit_event WHERE seq >= \(next) ORDER BY seq LIMIT 10000", logger: logger
            ).collect()
            for row in page {
                let (position, line, hash) = try row.decode((Int64, ByteBuffer?, ByteBuffer).self)
                guard hash.readableBytes == 32 else { throw StoreError.corruptRow(table: "audit_event") }
                try hash.withUnsafeReadableBytes { hashBytes in
                    if let line {
                        try line.withUnsafeReadableBytes { try body(position, $0, hashBytes) }
                    } else {
                        try body(position, nil, hashBytes)
                    }
                }
                next = position + 1
            }
            if page.count < 10000 { return }
        }
    }

    func auditCheckpoints() async throws -> [CheckpointRow] {
        try await rows("SELECT * FROM audit_checkpoint ORDER BY tree_size", table: "audit_checkpoint").map { row in
            CheckpointRow(treeSize: try row("tree_size"), note: try row("note"), createdAt: try row("created_at"))
        }
    }

    func appendAudit(_ row: AuditRow) async throws {
        try await run("INSERT INTO audit_event (seq, line, leaf_hash, created_at) VALUES (\(row.seq), \(row.line), \(row.leafHash), \(row.createdAt))")
    }

    func insert(_ checkpoint: CheckpointRow) async throws {
        try await run("""
            INSERT INTO audit_checkpoint (tree_size, note, created_at) VALUES (\(checkpoint.treeSize), \(checkpoint.note), \(checkpoint.createdAt))
            ON CONFLICT (tree_size) DO UPDATE SET note = excluded.note, created_at = excluded.created_at
            """)
    }

    func pruneAuditLines(before time: StoreTime) async throws -> Int {
        try await changes("UPDATE audit_event SET line = NULL WHERE created_at < \(time) AND line IS NOT NULL RETURNING 1")
    }

    static func audit(from row: PostgresRowReader) throws -> AuditRow {
        AuditRow(seq: try row("seq"), line: try row("line"), leafHash: try row("leaf_hash"), createdAt: try row("created_at"))
    }

    // MARK: - Pending audit

    func pendingAudit(limit: Int) async throws -> [PendingAuditRow] {
        try await rows("SELECT * FROM pending_audit ORDER BY id LIMIT \(limit)", table: "pending_audit").map { row in
            PendingAuditRow(id: try row("id"), event: try row("event"), createdAt: try row("created_at"))
        }
    }

    func pendingAuditCount() async throws -> Int {
        try await row("SELECT count(*) AS n FROM pending_audit", table: "pending_audit").map { try $0("n", as: Int.self) } ?? 0
    }

    func insertPendingAudit(event: String, at time: StoreTime) async throws {
        try await run("INSERT INTO pending_audit (event, created_at) VALUES (\(event), \(time))")
    }

    func deletePendingAudit(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await run("DELETE FROM pending_audit WHERE id = ANY(\(ids))")
    }

    // MARK: - Holds

    func holds() async throws -> [HoldRecord] {
        try await rows("SELECT * FROM legal_hold ORDER BY created_at", table: "legal_hold").map(Self.hold(from:))
    }

    func hold(threadID: String) async throws -> HoldRecord? {
        try await row("SELECT * FROM legal_hold WHERE thread_id = \(threadID)", table: "legal_hold").map(Self.hold(from:))
    }

    func insert(_ hold: HoldRecord) async throws {
        try await run("""
            INSERT INTO legal_hold (thread_id, reason, created_by, created_at) VALUES (\(hold.threadID), \(hold.reason), \(hold.createdBy), \(hold.createdAt))
            ON CONFLICT (thread_id) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by, created_at = excluded.created_at
            """)
    }

    func deleteHold(threadID: String) async throws -> Bool {
        try await changes("DELETE FROM legal_hold WHERE thread_id = \(threadID) RETURNING 1") == 1
    }

    static func hold(from row: PostgresRowReader) throws -> HoldRecord {
        HoldRecord(threadID: try row("thread_id"), reason: try row("reason"), createdBy: try row("created_by"), createdAt: try row("created_at"))
    }

    // MARK: - Retention

    func threadSummaries(after rowAfter: Int64, limit: Int) async throws -> (summaries: [ThreadSummary], lastRow: Int64) {
        let found = try await rows("""
            SELECT t.*,
                (SELECT count(*) FROM message m WHERE m.thread_id = t.id) AS message_count,
                EXISTS (SELECT 1 FROM legal_hold h JOIN thread held ON held.id = h.thread_id
                        WHERE held.id = t.id OR held.contact_id = t.contact_id) AS held
            FROM thread t WHERE t.row_number > \(rowAfter) ORDER BY t.row_number LIMIT \(limit)
            """, table: "thread")
        var last = rowAfter
        let summaries = try found.map { row -> ThreadSummary in
            last = try row("row_number")
            return ThreadSummary(
                thread: try Self.thread(from: row), messageCount: try row("message_count", as: Int.self), held: try row("held"),
                eraseRequestedAt: try row("erase_requested_at"))
        }
        return (summaries, last)
    }

    func closeThread(id: String, at time: StoreTime) async throws {
        try await run("UPDATE thread SET state = 'closed', closed_at = \(time) WHERE id = \(id) AND state = 'open'")
    }

    func markEraseRequested(threadID: String, at time: StoreTime) async throws {
        try await run("UPDATE thread SET erase_requested_at = coalesce(erase_requested_at, \(time)) WHERE id = \(threadID)")
    }

    /// A hold on any thread of a contact covers every thread of that contact.
    static let notHeld = """
        NOT EXISTS (SELECT 1 FROM legal_hold h JOIN thread held ON held.id = h.thread_id
                    WHERE held.id = thread.id OR held.contact_id = thread.contact_id)
        """

    func applyRetentionBatch(close: [PlannedClose], purge: [String], deleteMetadata: [String], at time: StoreTime) async throws -> RetentionBatchResult {
        var result = RetentionBatchResult()
        if !close.isEmpty {
            // Only if nothing happened since planning: a message acknowledged meanwhile keeps it open.
            result.closed = try await changes("""
                UPDATE thread SET state = 'closed', closed_at = \(time)
                FROM unnest(\(close.map(\.threadID))::text[], \(close.map(\.lastActivityAt))::bigint[]) AS planned(id, last_activity_at)
                WHERE thread.id = planned.id AND thread.state = 'open' AND thread.last_activity_at <= planned.last_activity_at
                  AND \(unescaped: Self.notHeld)
                RETURNING 1
                """)
        }
        if !purge.isEmpty {
            // Closed threads only (or ones whose erasure the survivor asked for): an open thread,
            // such as one retention could not close because a message just arrived, keeps its content.
            let purgeable = "(state = 'closed' OR erase_requested_at IS NOT NULL)"
            result.purgedMessages = try await changes("""
                DELETE FROM message WHERE thread_id IN (
                    SELECT id FROM thread WHERE id = ANY(\(purge)) AND state <> 'erased' AND \(unescaped: purgeable) AND \(unescaped: Self.notHeld))
                RETURNING 1
                """)
            result.purgedThreads = try await changes("""
                UPDATE thread SET state = 'erased', wrapped_key = NULL, kek_version = NULL, key_version = NULL,
                    erased_at = coalesce(erased_at, \(time)), closed_at = coalesce(closed_at, \(time))
                WHERE id = ANY(\(purge)) AND state <> 'erased' AND \(unescaped: purgeable) AND \(unescaped: Self.notHeld)
                RETURNING 1
                """)
        }
        if !deleteMetadata.isEmpty {
            result.metadataDeleted = try await changes("""
                DELETE FROM thread WHERE id = ANY(\(deleteMetadata)) AND state = 'erased' AND \(unescaped: Self.notHeld) RETURNING 1
                """)
        }
        return result
    }

    /// Nothing left to keep: no thread with content, no held thread, no live webchat session, and a
    /// contact that never wrote only once it has been idle long enough (`idle`, a bound value).
    static func nothingLeft(idle: String) -> String {
        """
        NOT EXISTS (SELECT 1 FROM thread t WHERE t.contact_id = contact.id AND t.state <> 'erased')
        AND NOT EXISTS (SELECT 1 FROM thread t JOIN legal_hold h ON h.thread_id = t.id WHERE t.contact_id = contact.id)
        AND NOT EXISTS (SELECT 1 FROM webchat_session s WHERE s.contact_id = contact.id)
        AND (EXISTS (SELECT 1 FROM thread t WHERE t.contact_id = contact.id) OR contact.created_at < \(idle))
        """
    }

    func deleteContactsWithoutContent(idleBefore: StoreTime, keepDoNotContact: Bool, at time: StoreTime) async throws -> Int {
        // `idleBefore` is a number, written into the statement as one.
        try await deleteContacts(where: Self.nothingLeft(idle: String(idleBefore)), keepDoNotContact: keepDoNotContact, at: time, threads: nil)
    }

    func deleteContactsWithoutContent(ofThreads threadIDs: [String], keepDoNotContact: Bool, at time: StoreTime) async throws -> Int {
        guard !threadIDs.isEmpty else { return 0 }
        // Contacts that wrote (they have these threads), so the idle rule never applies.
        return try await deleteContacts(where: Self.nothingLeft(idle: "0"), keepDoNotContact: keepDoNotContact, at: time, threads: threadIDs)
    }

    /// `$1` is the time; `$2`, when there are threads, their ids.
    private func deleteContacts(where condition: String, keepDoNotContact: Bool, at time: StoreTime, threads: [String]?) async throws -> Int {
        let scope = threads == nil ? "TRUE" : "contact.id IN (SELECT contact_id FROM thread WHERE id = ANY($2))"
        var binds = PostgresBindings()
        binds.append(time)
        if let threads { binds.append(threads) }
        if keepDoNotContact {
            try await run(PostgresQuery(unsafeSQL: """
                INSERT INTO suppressed_address (address_index, created_at)
                SELECT address_index, $1 FROM contact WHERE do_not_contact AND \(scope) AND \(condition)
                ON CONFLICT DO NOTHING
                """, binds: binds))
        }
        return try await changes(PostgresQuery(unsafeSQL: """
            DELETE FROM contact WHERE \(scope) AND \(condition) AND $1::bigint IS NOT NULL RETURNING 1
            """, binds: binds))
    }

    func deleteExpiredSessions(webchatSeenBefore: StoreTime, staffSeenBefore: StoreTime, staffCreatedBefore: StoreTime) async throws -> Int {
        let webchat = try await changes("DELETE FROM webchat_session WHERE last_seen_at < \(webchatSeenBefore) RETURNING 1")
        let staff = try await changes("DELETE FROM api_session WHERE last_seen_at < \(staffSeenBefore) OR created_at < \(staffCreatedBefore) RETURNING 1")
        return webchat + staff
    }

    func pruneHandledDeliveries(before time: StoreTime) async throws -> Int {
        try await changes("DELETE FROM handled_delivery WHERE created_at < \(time) RETURNING 1")
    }
}
