import Foundation
import GRDB
import RelayModel

/// Reads and writes for the channels: keywords, the outbox, webchat sessions and resume phrases.
extension SQLiteAccess {
    // MARK: - Reading

    func message(id: String) throws -> MessageRecord? {
        try MessageRecord.fetchOne(try db.cachedStatement(sql: "SELECT \(MessageRecord.selection) FROM message WHERE id = ?"), arguments: [id])
    }

    func threads(contactID: String) throws -> [ThreadRecord] {
        try ThreadRecord.fetchAll(try db.cachedStatement(sql: "SELECT \(ThreadRecord.selection) FROM thread WHERE contact_id = ? ORDER BY opened_at, rowid"), arguments: [contactID])
    }

    func isHandled(deliveryIndex: [UInt8]) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM handled_delivery WHERE delivery_index = ?"), arguments: [Data(deliveryIndex)]) ?? false
    }

    func outbox(messageID: String) throws -> OutboxRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM outbox WHERE message_id = ?"), arguments: [messageID]).map(Self.outbox(from:))
    }

    func outboxStates(messageIDs: [String]) throws -> [String: OutboxState] {
        var states: [String: OutboxState] = [:]
        // At most 500 ids per statement (SQLite's bound-parameter limit is far above; the batches
        // keep each statement's plan cached and small).
        for start in stride(from: 0, to: messageIDs.count, by: 500) {
            let batch = Array(messageIDs[start..<min(start + 500, messageIDs.count)])
            let marks = Array(repeating: "?", count: batch.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                try db.cachedStatement(sql: "SELECT message_id, state FROM outbox WHERE message_id IN (\(marks))"), arguments: StatementArguments(batch))
            for row in rows {
                guard let state = OutboxState(rawValue: row["state"]) else { throw StoreError.corruptRow(table: "outbox") }
                states[row["message_id"]] = state
            }
        }
        return states
    }

    func outbox(providerIndex: [UInt8]) throws -> OutboxRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM outbox WHERE provider_index = ?"), arguments: [Data(providerIndex)]).map(Self.outbox(from:))
    }

    func dueOutbox(at time: StoreTime, limit: Int) throws -> [OutboxRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, rowid LIMIT ?"),
            arguments: [time, limit]
        ).map(Self.outbox(from:))
    }

    func webchatSession(tokenIndex: [UInt8]) throws -> WebchatSessionRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM webchat_session WHERE token_index = ?"), arguments: [Data(tokenIndex)]).map { row in
            WebchatSessionRecord(tokenIndex: row["token_index"], contactID: row["contact_id"], createdAt: row["created_at"], lastSeenAt: row["last_seen_at"])
        }
    }

    func hasWebchatSession(contactID: String, seenSince time: StoreTime) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM webchat_session WHERE contact_id = ? AND last_seen_at >= ? LIMIT 1"), arguments: [contactID, time]) ?? false
    }

    func resumePhrases(lookupIndex: [UInt8]) throws -> [ResumePhraseRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM resume_phrase WHERE lookup_index = ? LIMIT 8"), arguments: [Data(lookupIndex)]).map { row in
            ResumePhraseRecord(contactID: row["contact_id"], lookupIndex: row["lookup_index"], phraseHash: row["phrase_hash"], createdAt: row["created_at"])
        }
    }

    // MARK: - Writing

    func setOptedOut(contactID: String, _ value: Bool) throws {
        try db.cachedStatement(sql: "UPDATE contact SET opted_out = ? WHERE id = ?").execute(arguments: [value, contactID])
    }

    func setBlock(contactID: String, until: StoreTime?) throws {
        try db.cachedStatement(sql: "UPDATE contact SET blocked_until = ? WHERE id = ?").execute(arguments: [until, contactID])
    }

    func markHandled(deliveryIndex: [UInt8], at time: StoreTime) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO handled_delivery (delivery_index, created_at) VALUES (?, ?)").execute(arguments: [Data(deliveryIndex), time])
    }

    func deleteMessage(id: String) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM message WHERE id = ?").execute(arguments: [id])
        return db.changesCount == 1
    }

    func deleteContact(id: String) throws {
        try db.cachedStatement(sql: "DELETE FROM contact WHERE id = ?").execute(arguments: [id])
    }

    func insert(_ outbox: OutboxRecord) throws {
        try db.cachedStatement(sql: """
                INSERT INTO outbox (id, message_id, thread_id, state, attempts, next_attempt_at, provider_index, error_code, created_at, updated_at,
                                    caution_override)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                outbox.id, outbox.messageID, outbox.threadID, outbox.state.rawValue, outbox.attempts, outbox.nextAttemptAt,
                outbox.providerIndex, outbox.errorCode, outbox.createdAt, outbox.updatedAt, outbox.cautionOverride,
            ])
    }

    func update(_ outbox: OutboxRecord) throws {
        try db.cachedStatement(sql: """
                UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, provider_index = ?, error_code = ?, updated_at = ?
                WHERE id = ?
                """).execute(arguments: [
                outbox.state.rawValue, outbox.attempts, outbox.nextAttemptAt, outbox.providerIndex, outbox.errorCode, outbox.updatedAt, outbox.id,
            ])
    }

    func markInFlightOutboxUnknown(claimedBefore: StoreTime, at time: StoreTime) throws -> Int {
        try db.cachedStatement(sql: "UPDATE outbox SET state = 'unknown', updated_at = ? WHERE state = 'sending' AND updated_at <= ?")
            .execute(arguments: [time, claimedBefore])
        return db.changesCount
    }

    func insert(_ session: WebchatSessionRecord) throws {
        try db.cachedStatement(sql: "INSERT INTO webchat_session (token_index, contact_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)").execute(arguments: [session.tokenIndex, session.contactID, session.createdAt, session.lastSeenAt])
    }

    func touchWebchatSession(tokenIndex: [UInt8], at time: StoreTime) throws {
        try db.cachedStatement(sql: "UPDATE webchat_session SET last_seen_at = max(last_seen_at, ?) WHERE token_index = ?").execute(arguments: [time, Data(tokenIndex)])
    }

    func deleteWebchatSession(tokenIndex: [UInt8]) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM webchat_session WHERE token_index = ?").execute(arguments: [Data(tokenIndex)])
        return db.changesCount == 1
    }

    func upsert(_ phrase: ResumePhraseRecord) throws {
        try db.cachedStatement(sql: """
                INSERT INTO resume_phrase (contact_id, lookup_index, phrase_hash, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(contact_id) DO UPDATE SET lookup_index = excluded.lookup_index, phrase_hash = excluded.phrase_hash, created_at = excluded.created_at
                """).execute(arguments: [phrase.contactID, phrase.lookupIndex, phrase.phraseHash, phrase.createdAt])
    }

    static func outbox(from row: Row) throws -> OutboxRecord {
        guard let state = OutboxState(rawValue: row["state"]) else { throw StoreError.corruptRow(table: "outbox") }
        return OutboxRecord(
            id: row["id"], messageID: row["message_id"], threadID: row["thread_id"], state: state, attempts: row["attempts"],
            nextAttemptAt: row["next_attempt_at"], providerIndex: row["provider_index"], errorCode: row["error_code"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], cautionOverride: row["caution_override"])
    }
}
