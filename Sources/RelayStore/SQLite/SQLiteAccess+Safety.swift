import Foundation
import GRDB
import RelayModel

/// Contact safety flags, the paged queue and what a survivor's erase ends.
extension SQLiteAccess {
    // MARK: - Safety

    func setSafety(contactID: String, _ flags: ContactSafetyFlags) throws {
        try db.cachedStatement(sql: "UPDATE contact SET do_not_contact = ?, phone_monitored = ?, not_safe_to_text = ? WHERE id = ?")
            .execute(arguments: [flags.doNotContact, flags.phoneMayBeMonitored, flags.notSafeToText, contactID])
    }

    func isSuppressed(addressIndex: [UInt8]) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM suppressed_address WHERE address_index = ?"), arguments: [Data(addressIndex)]) ?? false
    }

    func suppress(addressIndex: Data, at time: StoreTime) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO suppressed_address (address_index, created_at) VALUES (?, ?)").execute(arguments: [addressIndex, time])
    }

    func unsuppress(addressIndex: Data) throws {
        try db.cachedStatement(sql: "DELETE FROM suppressed_address WHERE address_index = ?").execute(arguments: [addressIndex])
    }

    func failQueuedOutbox(contactID: String, code: String, at time: StoreTime) throws -> Int {
        try db.cachedStatement(sql: """
            UPDATE outbox SET state = 'failed', error_code = ?, updated_at = ?
            WHERE state = 'queued' AND thread_id IN (SELECT id FROM thread WHERE contact_id = ?)
            """).execute(arguments: [code, time, contactID])
        return db.changesCount
    }

    func relinkAddress(contactID: String, to addressIndex: Data) throws {
        try db.cachedStatement(sql: "UPDATE contact SET address_index = ? WHERE id = ?").execute(arguments: [addressIndex, contactID])
    }

    func isContactHeld(contactID: String) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: """
            SELECT 1 FROM legal_hold h JOIN thread t ON t.id = h.thread_id WHERE t.contact_id = ? LIMIT 1
            """), arguments: [contactID]) ?? false
    }

    func deleteWebchatSessions(contactID: String) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM webchat_session WHERE contact_id = ?").execute(arguments: [contactID])
        return db.changesCount
    }

    func consumeResumePhrase(contactID: String, phraseHash: String) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM resume_phrase WHERE contact_id = ? AND phrase_hash = ?").execute(arguments: [contactID, phraseHash])
        return db.changesCount == 1
    }

    func deleteResumePhrase(contactID: String) throws {
        try db.cachedStatement(sql: "DELETE FROM resume_phrase WHERE contact_id = ?").execute(arguments: [contactID])
    }

    func caseRecordContacts(after contactID: String, limit: Int) throws -> [String] {
        try String.fetchAll(try db.cachedStatement(sql: "SELECT contact_id FROM case_record WHERE contact_id > ? ORDER BY contact_id LIMIT ?"), arguments: [contactID, limit])
    }

    func isMaintenanceDone(_ name: String) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM maintenance WHERE name = ?"), arguments: [name]) ?? false
    }

    func markMaintenanceDone(_ name: String, at time: StoreTime) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO maintenance (name, done_at) VALUES (?, ?)").execute(arguments: [name, time])
    }

    func clearMaintenance(_ name: String) throws {
        try db.cachedStatement(sql: "DELETE FROM maintenance WHERE name = ?").execute(arguments: [name])
    }

    // MARK: - Queue

    func queuePage(after cursor: QueueCursor?, limit: Int) throws -> [ThreadRecord] {
        let order = "ORDER BY priority DESC, coalesce(last_inbound_at, opened_at), id LIMIT ?"
        guard let cursor else {
            return try ThreadRecord.fetchAll(try db.cachedStatement(sql: "SELECT \(ThreadRecord.selection) FROM thread WHERE state = 'open' AND redirected_at IS NULL \(order)"), arguments: [limit])
        }
        return try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT * FROM thread WHERE state = 'open' AND redirected_at IS NULL AND (
                priority < ?1
                OR (priority = ?1 AND coalesce(last_inbound_at, opened_at) > ?2)
                OR (priority = ?1 AND coalesce(last_inbound_at, opened_at) = ?2 AND id > ?3))
            \(order.replacingOccurrences(of: "?", with: "?4"))
            """), arguments: [cursor.priority, cursor.waitingSince, cursor.threadID, limit]
        ).map(Self.thread(from:))
    }

    /// Waiting means unanswered: no activity (a reply) since the survivor last wrote.
    func longestWaitingOpenThread(channel: ChannelKind) throws -> ThreadRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT * FROM thread WHERE state = 'open' AND redirected_at IS NULL AND channel = ? AND coalesce(last_inbound_at, opened_at) >= last_activity_at
            ORDER BY coalesce(last_inbound_at, opened_at), id LIMIT 1
            """), arguments: [channel.rawValue]
        ).map(Self.thread(from:))
    }

    func openThreadCounts() throws -> [ChannelKind: Int] {
        var counts: [ChannelKind: Int] = [:]
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT channel, count(*) AS n FROM thread WHERE state = 'open' AND redirected_at IS NULL GROUP BY channel")) {
            if let channel = ChannelKind(rawValue: row["channel"]) { counts[channel] = row["n"] }
        }
        return counts
    }
}
