import Foundation
import PostgresNIO
import RelayModel

/// Contact safety flags, the queue, what a survivor's erase ends and maintenance markers.
extension PostgresAccess {
    // MARK: - Safety

    func setSafety(contactID: String, _ flags: ContactSafetyFlags) async throws {
        try await run("""
            UPDATE contact SET do_not_contact = \(flags.doNotContact), phone_monitored = \(flags.phoneMayBeMonitored),
                not_safe_to_text = \(flags.notSafeToText)
            WHERE id = \(contactID)
            """)
    }

    func isSuppressed(addressIndex: [UInt8]) async throws -> Bool {
        try await exists("SELECT 1 FROM suppressed_address WHERE address_index = \(Data(addressIndex))")
    }

    func suppress(addressIndex: Data, at time: StoreTime) async throws {
        try await run("INSERT INTO suppressed_address (address_index, created_at) VALUES (\(addressIndex), \(time)) ON CONFLICT DO NOTHING")
    }

    func unsuppress(addressIndex: Data) async throws {
        try await run("DELETE FROM suppressed_address WHERE address_index = \(addressIndex)")
    }

    func failQueuedOutbox(contactID: String, code: String, at time: StoreTime) async throws -> Int {
        try await changes("""
            UPDATE outbox SET state = 'failed', error_code = \(code), updated_at = \(time)
            WHERE state = 'queued' AND thread_id IN (SELECT id FROM thread WHERE contact_id = \(contactID))
            RETURNING 1
            """)
    }

    func relinkAddress(contactID: String, to addressIndex: Data) async throws {
        try await run("UPDATE contact SET address_index = \(addressIndex) WHERE id = \(contactID)")
    }

    func isContactHeld(contactID: String) async throws -> Bool {
        try await exists("SELECT 1 FROM legal_hold h JOIN thread t ON t.id = h.thread_id WHERE t.contact_id = \(contactID) LIMIT 1")
    }

    func deleteWebchatSessions(contactID: String) async throws -> Int {
        try await changes("DELETE FROM webchat_session WHERE contact_id = \(contactID) RETURNING 1")
    }

    func consumeResumePhrase(contactID: String, phraseHash: String) async throws -> Bool {
        try await changes("DELETE FROM resume_phrase WHERE contact_id = \(contactID) AND phrase_hash = \(phraseHash) RETURNING 1") == 1
    }

    func deleteResumePhrase(contactID: String) async throws {
        try await run("DELETE FROM resume_phrase WHERE contact_id = \(contactID)")
    }

    func caseRecordContacts(after contactID: String, limit: Int) async throws -> [String] {
        try await rows("SELECT contact_id FROM case_record WHERE contact_id > \(contactID) ORDER BY contact_id LIMIT \(limit)", table: "case_record")
            .map { try $0("contact_id") }
    }

    func isMaintenanceDone(_ name: String) async throws -> Bool {
        try await exists("SELECT 1 FROM maintenance WHERE name = \(name)")
    }

    func markMaintenanceDone(_ name: String, at time: StoreTime) async throws {
        try await run("INSERT INTO maintenance (name, done_at) VALUES (\(name), \(time)) ON CONFLICT DO NOTHING")
    }

    func clearMaintenance(_ name: String) async throws {
        try await run("DELETE FROM maintenance WHERE name = \(name)")
    }

    // MARK: - Queue

    func openThreads(limit: Int) async throws -> [ThreadRecord] {
        try await rows(
            "SELECT * FROM thread WHERE state = 'open' AND redirected_at IS NULL ORDER BY priority DESC, coalesce(last_inbound_at, opened_at), id LIMIT \(limit)",
            table: "thread"
        ).map(Self.thread(from:))
    }

    func queueGauges() async throws -> QueueGauges {
        let found = try await row("""
            SELECT count(*) AS open, count(*) FILTER (WHERE first_response_at IS NULL AND redirected_at IS NULL) AS waiting,
                min(opened_at) FILTER (WHERE first_response_at IS NULL AND redirected_at IS NULL) AS oldest
            FROM thread WHERE state = 'open'
            """, table: "thread")
        return QueueGauges(
            open: try found?("open", as: Int.self) ?? 0, waiting: try found?("waiting", as: Int.self) ?? 0,
            oldestWaitingOpenedAt: try found?("oldest", as: Int64?.self) ?? nil)
    }

    func queuePage(after cursor: QueueCursor?, limit: Int) async throws -> [ThreadRecord] {
        guard let cursor else { return try await openThreads(limit: limit) }
        return try await rows("""
            SELECT * FROM thread WHERE state = 'open' AND redirected_at IS NULL AND (
                priority < \(cursor.priority)
                OR (priority = \(cursor.priority) AND coalesce(last_inbound_at, opened_at) > \(cursor.waitingSince))
                OR (priority = \(cursor.priority) AND coalesce(last_inbound_at, opened_at) = \(cursor.waitingSince) AND id > \(cursor.threadID)))
            ORDER BY priority DESC, coalesce(last_inbound_at, opened_at), id LIMIT \(limit)
            """, table: "thread").map(Self.thread(from:))
    }

    /// Waiting means unanswered: no activity (a reply) since the survivor last wrote.
    func longestWaitingOpenThread(channel: ChannelKind) async throws -> ThreadRecord? {
        try await row("""
            SELECT * FROM thread WHERE state = 'open' AND redirected_at IS NULL AND channel = \(channel.rawValue) AND coalesce(last_inbound_at, opened_at) >= last_activity_at
            ORDER BY coalesce(last_inbound_at, opened_at), id LIMIT 1
            """, table: "thread").map(Self.thread(from:))
    }

    func openThreadCounts() async throws -> [ChannelKind: Int] {
        var counts: [ChannelKind: Int] = [:]
        for row in try await rows("SELECT channel, count(*) AS n FROM thread WHERE state = 'open' AND redirected_at IS NULL GROUP BY channel", table: "thread") {
            if let channel = ChannelKind(rawValue: try row("channel")) { counts[channel] = try row("n", as: Int.self) }
        }
        return counts
    }
}
