import Foundation
import PostgresNIO
import RelayModel

/// Reads and writes for the channels: keywords, the outbox, webchat sessions and resume phrases.
extension PostgresAccess {
    // MARK: - Reading

    func message(id: String) async throws -> MessageRecord? {
        try await row("SELECT * FROM message WHERE id = \(id)", table: "message").map(Self.message(from:))
    }

    func threads(contactID: String) async throws -> [ThreadRecord] {
        try await rows("SELECT * FROM thread WHERE contact_id = \(contactID) ORDER BY opened_at, row_number", table: "thread").map(Self.thread(from:))
    }

    func isHandled(deliveryIndex: [UInt8]) async throws -> Bool {
        try await exists("SELECT 1 FROM handled_delivery WHERE delivery_index = \(Data(deliveryIndex))")
    }

    func outbox(messageID: String) async throws -> OutboxRecord? {
        try await row("SELECT * FROM outbox WHERE message_id = \(messageID)", table: "outbox").map(Self.outbox(from:))
    }

    func outboxStates(messageIDs: [String]) async throws -> [String: OutboxState] {
        var states: [String: OutboxState] = [:]
        for start in stride(from: 0, to: messageIDs.count, by: 500) {
            let batch = Array(messageIDs[start..<min(start + 500, messageIDs.count)])
            for row in try await rows("SELECT message_id, state FROM outbox WHERE message_id = ANY(\(batch))", table: "outbox") {
                guard let state = OutboxState(rawValue: try row("state")) else { throw StoreError.corruptRow(table: "outbox") }
                states[try row("message_id")] = state
            }
        }
        return states
    }

    func outbox(providerIndex: [UInt8]) async throws -> OutboxRecord? {
        try await row("SELECT * FROM outbox WHERE provider_index = \(Data(providerIndex))", table: "outbox").map(Self.outbox(from:))
    }

    func dueOutbox(at time: StoreTime, limit: Int) async throws -> [OutboxRecord] {
        try await rows(
            "SELECT * FROM outbox WHERE state = 'queued' AND next_attempt_at <= \(time) ORDER BY next_attempt_at, row_number LIMIT \(limit)",
            table: "outbox"
        ).map(Self.outbox(from:))
    }

    func webchatSession(tokenIndex: [UInt8]) async throws -> WebchatSessionRecord? {
        try await row("SELECT * FROM webchat_session WHERE token_index = \(Data(tokenIndex))", table: "webchat_session").map { row in
            WebchatSessionRecord(
                tokenIndex: try row("token_index"), contactID: try row("contact_id"), createdAt: try row("created_at"),
                lastSeenAt: try row("last_seen_at"))
        }
    }

    func hasWebchatSession(contactID: String, seenSince time: StoreTime) async throws -> Bool {
        try await exists("SELECT 1 FROM webchat_session WHERE contact_id = \(contactID) AND last_seen_at >= \(time) LIMIT 1")
    }

    func resumePhrases(lookupIndex: [UInt8]) async throws -> [ResumePhraseRecord] {
        try await rows("SELECT * FROM resume_phrase WHERE lookup_index = \(Data(lookupIndex)) LIMIT 8", table: "resume_phrase").map { row in
            ResumePhraseRecord(
                contactID: try row("contact_id"), lookupIndex: try row("lookup_index"), phraseHash: try row("phrase_hash"),
                createdAt: try row("created_at"))
        }
    }

    // MARK: - Writing

    func setOptedOut(contactID: String, _ value: Bool) async throws {
        try await run("UPDATE contact SET opted_out = \(value) WHERE id = \(contactID)")
    }

    func setBlock(contactID: String, until: StoreTime?) async throws {
        try await run("UPDATE contact SET blocked_until = \(until) WHERE id = \(contactID)")
    }

    func markHandled(deliveryIndex: [UInt8], at time: StoreTime) async throws {
        try await run("INSERT INTO handled_delivery (delivery_index, created_at) VALUES (\(Data(deliveryIndex)), \(time)) ON CONFLICT DO NOTHING")
    }

    func deleteMessage(id: String) async throws -> Bool {
        try await changes("DELETE FROM message WHERE id = \(id) RETURNING 1") == 1
    }

    func deleteContact(id: String) async throws {
        try await run("DELETE FROM contact WHERE id = \(id)")
    }

    func insert(_ outbox: OutboxRecord) async throws {
        try await run("""
            INSERT INTO outbox (id, message_id, thread_id, state, attempts, next_attempt_at, provider_index, error_code, created_at, updated_at,
                                caution_override)
            VALUES (\(outbox.id), \(outbox.messageID), \(outbox.threadID), \(outbox.state.rawValue), \(outbox.attempts), \(outbox.nextAttemptAt),
                    \(outbox.providerIndex), \(outbox.errorCode), \(outbox.createdAt), \(outbox.updatedAt), \(outbox.cautionOverride))
            """)
    }

    func update(_ outbox: OutboxRecord) async throws {
        try await run("""
            UPDATE outbox SET state = \(outbox.state.rawValue), attempts = \(outbox.attempts), next_attempt_at = \(outbox.nextAttemptAt),
                provider_index = \(outbox.providerIndex), error_code = \(outbox.errorCode), updated_at = \(outbox.updatedAt)
            WHERE id = \(outbox.id)
            """)
    }

    func markInFlightOutboxUnknown(claimedBefore: StoreTime, at time: StoreTime) async throws -> Int {
        try await changes("UPDATE outbox SET state = 'unknown', updated_at = \(time) WHERE state = 'sending' AND updated_at <= \(claimedBefore) RETURNING 1")
    }

    func insert(_ session: WebchatSessionRecord) async throws {
        try await run("""
            INSERT INTO webchat_session (token_index, contact_id, created_at, last_seen_at)
            VALUES (\(session.tokenIndex), \(session.contactID), \(session.createdAt), \(session.lastSeenAt))
            """)
    }

    func touchWebchatSession(tokenIndex: [UInt8], at time: StoreTime) async throws {
        try await run("UPDATE webchat_session SET last_seen_at = greatest(last_seen_at, \(time)) WHERE token_index = \(Data(tokenIndex))")
    }

    func deleteWebchatSession(tokenIndex: [UInt8]) async throws -> Bool {
        try await changes("DELETE FROM webchat_session WHERE token_index = \(Data(tokenIndex)) RETURNING 1") == 1
    }

    func upsert(_ phrase: ResumePhraseRecord) async throws {
        try await run("""
            INSERT INTO resume_phrase (contact_id, lookup_index, phrase_hash, created_at)
            VALUES (\(phrase.contactID), \(phrase.lookupIndex), \(phrase.phraseHash), \(phrase.createdAt))
            ON CONFLICT (contact_id) DO UPDATE SET lookup_index = excluded.lookup_index, phrase_hash = excluded.phrase_hash,
                created_at = excluded.created_at
            """)
    }

    static func outbox(from row: PostgresRowReader) throws -> OutboxRecord {
        guard let state = OutboxState(rawValue: try row("state")) else { throw StoreError.corruptRow(table: "outbox") }
        return OutboxRecord(
            id: try row("id"), messageID: try row("message_id"), threadID: try row("thread_id"), state: state, attempts: try row("attempts"),
            nextAttemptAt: try row("next_attempt_at"), providerIndex: try row("provider_index"), errorCode: try row("error_code"),
            createdAt: try row("created_at"), updatedAt: try row("updated_at"), cautionOverride: try row("caution_override"))
    }
}
