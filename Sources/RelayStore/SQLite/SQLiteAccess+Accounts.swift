import Foundation
import GRDB
import RelayModel

/// Accounts, staff sessions, assignment and the queue.
extension SQLiteAccess {
    func account(name: String) throws -> AccountRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM account WHERE name = ?"), arguments: [name]).map(Self.account(from:))
    }

    func account(id: String) throws -> AccountRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM account WHERE id = ?"), arguments: [id]).map(Self.account(from:))
    }

    func accounts() throws -> [AccountRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM account ORDER BY name")).map(Self.account(from:))
    }

    func apiSession(tokenIndex: [UInt8]) throws -> APISessionRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM api_session WHERE token_index = ?"), arguments: [Data(tokenIndex)]).map { row in
            APISessionRecord(tokenIndex: row["token_index"], accountID: row["account_id"], createdAt: row["created_at"], lastSeenAt: row["last_seen_at"])
        }
    }

    func openThreads(limit: Int) throws -> [ThreadRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM thread WHERE state = 'open' AND redirected_at IS NULL ORDER BY priority DESC, coalesce(last_inbound_at, opened_at) LIMIT ?"),
            arguments: [limit]
        ).map(Self.thread(from:))
    }

    func queueGauges() throws -> QueueGauges {
        let row = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT count(*) AS open, count(*) FILTER (WHERE first_response_at IS NULL AND redirected_at IS NULL) AS waiting,
                min(opened_at) FILTER (WHERE first_response_at IS NULL AND redirected_at IS NULL) AS oldest
            FROM thread WHERE state = 'open'
            """))
        return QueueGauges(open: row?["open"] ?? 0, waiting: row?["waiting"] ?? 0, oldestWaitingOpenedAt: row?["oldest"])
    }

    func audit(since: StoreTime, until: StoreTime, afterSeq: Int64, limit: Int) throws -> [AuditRow] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM audit_event WHERE seq > ? AND created_at >= ? AND created_at < ? ORDER BY seq LIMIT ?"),
            arguments: [afterSeq, since, until, limit]
        ).map { row in AuditRow(seq: row["seq"], line: row["line"], leafHash: row["leaf_hash"], createdAt: row["created_at"]) }
    }

    func insert(_ account: AccountRecord) throws {
        try db.cachedStatement(sql: """
                INSERT INTO account (id, name, role, password_hash, sealed_totp, wrapped_key, kek_version, key_version, enrolment_hash,
                    enrolment_expires_at, disabled, failed_logins, locked_until, last_totp_step, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: Self.arguments(account) + [account.createdAt])
    }

    func update(_ account: AccountRecord) throws {
        try db.cachedStatement(sql: """
                UPDATE account SET id = ?, name = ?, role = ?, password_hash = ?, sealed_totp = ?, wrapped_key = ?, kek_version = ?,
                    key_version = ?, enrolment_hash = ?, enrolment_expires_at = ?, disabled = ?, failed_logins = ?, locked_until = ?,
                    last_totp_step = ?
                WHERE id = ?
                """).execute(arguments: Self.arguments(account) + [account.id])
    }

    static func arguments(_ account: AccountRecord) -> StatementArguments {
        [
            account.id, account.name, account.role.rawValue, account.passwordHash, account.sealedTOTP, account.key?.sealed,
            account.key.map { Int64($0.kekVersion) }, account.key.map { Int64($0.keyVersion) }, account.enrolmentHash,
            account.enrolmentExpiresAt, account.disabled, account.failedLogins, account.lockedUntil, account.lastTOTPStep,
        ]
    }

    func insert(_ session: APISessionRecord) throws {
        try db.cachedStatement(sql: "INSERT INTO api_session (token_index, account_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)").execute(arguments: [session.tokenIndex, session.accountID, session.createdAt, session.lastSeenAt])
    }

    func touchAPISession(tokenIndex: [UInt8], at time: StoreTime) throws {
        try db.cachedStatement(sql: "UPDATE api_session SET last_seen_at = max(last_seen_at, ?) WHERE token_index = ?").execute(arguments: [time, Data(tokenIndex)])
    }

    func deleteAPISession(tokenIndex: [UInt8]) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM api_session WHERE token_index = ?").execute(arguments: [Data(tokenIndex)])
        return db.changesCount == 1
    }

    func staffDeviceAccount(tokenIndex: [UInt8]) throws -> String? {
        try String.fetchOne(try db.cachedStatement(sql: "SELECT account_id FROM staff_device WHERE token_index = ?"), arguments: [Data(tokenIndex)])
    }

    func rememberStaffDevice(tokenIndex: [UInt8], accountID: String, at time: StoreTime) throws {
        try db.cachedStatement(sql: """
            INSERT INTO staff_device (token_index, account_id, created_at, last_used_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(token_index) DO UPDATE SET last_used_at = excluded.last_used_at
            """).execute(arguments: [Data(tokenIndex), accountID, time, time])
        try db.cachedStatement(sql: """
            DELETE FROM staff_device WHERE account_id = ?1 AND token_index NOT IN
                (SELECT token_index FROM staff_device WHERE account_id = ?1 ORDER BY last_used_at DESC LIMIT 10)
            """).execute(arguments: [accountID])
    }

    func forgetStaffDevices(accountID: String) throws {
        try db.cachedStatement(sql: "DELETE FROM staff_device WHERE account_id = ?").execute(arguments: [accountID])
    }

    func deleteAPISessions(accountID: String) throws {
        try db.cachedStatement(sql: "DELETE FROM api_session WHERE account_id = ?").execute(arguments: [accountID])
    }

    func assign(threadID: String, to accountID: String?) throws {
        try db.cachedStatement(sql: "UPDATE thread SET assigned_to = ? WHERE id = ?").execute(arguments: [accountID, threadID])
    }

    func markFirstResponse(threadID: String, at time: StoreTime) throws {
        try db.cachedStatement(sql: "UPDATE thread SET first_response_at = coalesce(first_response_at, ?) WHERE id = ?").execute(arguments: [time, threadID])
    }

    func raisePriority(threadID: String, to priority: Int) throws {
        try db.cachedStatement(sql: "UPDATE thread SET priority = max(priority, ?) WHERE id = ?").execute(arguments: [priority, threadID])
    }

    func unhideUndeliveredRedirects(threadID: String?) throws {
        try db.cachedStatement(sql: """
            UPDATE thread SET redirected_at = NULL WHERE redirected_at IS NOT NULL AND (?1 IS NULL OR id = ?1)
                AND EXISTS (SELECT 1 FROM outbox o WHERE o.thread_id = thread.id AND o.state IN ('failed', 'unknown') AND o.created_at >= thread.redirected_at)
            """).execute(arguments: [threadID])
    }

    func recordTriage(threadID: String, language: ConversationLanguage?, automaticAnswers: [String], redirectedAt: StoreTime?) throws {
        try db.cachedStatement(sql: "UPDATE thread SET language = ?, automatic_answers = ?, redirected_at = ? WHERE id = ?")
            .execute(arguments: [language?.rawValue, automaticAnswers.joined(separator: ","), redirectedAt, threadID])
    }

    func threads(openedSince since: StoreTime, until: StoreTime, limit: Int) throws -> [ThreadRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM thread WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at LIMIT ?"), arguments: [since, until, limit]
        ).map(Self.thread(from:))
    }

    func sealedCaseRecord(contactID: String) throws -> Data? {
        try Data.fetchOne(try db.cachedStatement(sql: "SELECT sealed FROM case_record WHERE contact_id = ?"), arguments: [contactID])
    }

    func storeCaseRecord(contactID: String, sealed: Data, at time: StoreTime) throws {
        try db.cachedStatement(sql: """
                INSERT INTO case_record (contact_id, sealed, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(contact_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                """).execute(arguments: [contactID, sealed, time])
    }

    static func account(from row: Row) throws -> AccountRecord {
        guard let role = Role(rawValue: row["role"]) else { throw StoreError.corruptRow(table: "account") }
        return AccountRecord(
            id: row["id"], name: row["name"], role: role, passwordHash: row["password_hash"], sealedTOTP: row["sealed_totp"],
            key: storedKey(row), enrolmentHash: row["enrolment_hash"], enrolmentExpiresAt: row["enrolment_expires_at"],
            disabled: row["disabled"], failedLogins: row["failed_logins"], lockedUntil: row["locked_until"],
            lastTOTPStep: row["last_totp_step"], createdAt: row["created_at"])
    }
}
