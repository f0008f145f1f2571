import Foundation
import PostgresNIO
import RelayModel

/// Accounts, staff sessions and devices, assignment and case records.
extension PostgresAccess {
    func account(name: String) async throws -> AccountRecord? {
        try await row("SELECT * FROM account WHERE name = \(name)", table: "account").map(Self.account(from:))
    }

    func account(id: String) async throws -> AccountRecord? {
        try await row("SELECT * FROM account WHERE id = \(id)", table: "account").map(Self.account(from:))
    }

    func accounts() async throws -> [AccountRecord] {
        try await rows("SELECT * FROM account ORDER BY name", table: "account").map(Self.account(from:))
    }

    func apiSession(tokenIndex: [UInt8]) async throws -> APISessionRecord? {
        try await row("SELECT * FROM api_session WHERE token_index = \(Data(tokenIndex))", table: "api_session").map { row in
            APISessionRecord(
                tokenIndex: try row("token_index"), accountID: try row("account_id"), createdAt: try row("created_at"),
                lastSeenAt: try row("last_seen_at"))
        }
    }

    func insert(_ account: AccountRecord) async throws {
        try await run("""
            INSERT INTO account (id, name, role, password_hash, sealed_totp, wrapped_key, kek_version, key_version, enrolment_hash,
                enrolment_expires_at, disabled, failed_logins, locked_until, last_totp_step, created_at)
            VALUES (\(account.id), \(account.name), \(account.role.rawValue), \(account.passwordHash), \(account.sealedTOTP),
                \(account.key?.sealed), \(account.key.map { Int64($0.kekVersion) }), \(account.key.map { Int64($0.keyVersion) }),
                \(account.enrolmentHash), \(account.enrolmentExpiresAt), \(account.disabled), \(account.failedLogins),
                \(account.lockedUntil), \(account.lastTOTPStep), \(account.createdAt))
            """)
    }

    func update(_ account: AccountRecord) async throws {
        try await run("""
            UPDATE account SET name = \(account.name), role = \(account.role.rawValue), password_hash = \(account.passwordHash),
                sealed_totp = \(account.sealedTOTP), wrapped_key = \(account.key?.sealed), kek_version = \(account.key.map { Int64($0.kekVersion) }),
                key_version = \(account.key.map { Int64($0.keyVersion) }), enrolment_hash = \(account.enrolmentHash),
                enrolment_expires_at = \(account.enrolmentExpiresAt), disabled = \(account.disabled), failed_logins = \(account.failedLogins),
                locked_until = \(account.lockedUntil), last_totp_step = \(account.lastTOTPStep)
            WHERE id = \(account.id)
            """)
    }

    func insert(_ session: APISessionRecord) async throws {
        try await run("""
            INSERT INTO api_session (token_index, account_id, created_at, last_seen_at)
            VALUES (\(session.tokenIndex), \(session.accountID), \(session.createdAt), \(session.lastSeenAt))
            """)
    }

    func touchAPISession(tokenIndex: [UInt8], at time: StoreTime) async throws {
        try await run("UPDATE api_session SET last_seen_at = greatest(last_seen_at, \(time)) WHERE token_index = \(Data(tokenIndex))")
    }

    func deleteAPISession(tokenIndex: [UInt8]) async throws -> Bool {
        try await changes("DELETE FROM api_session WHERE token_index = \(Data(tokenIndex)) RETURNING 1") == 1
    }

    func staffDeviceAccount(tokenIndex: [UInt8]) async throws -> String? {
        try await row("SELECT account_id FROM staff_device WHERE token_index = \(Data(tokenIndex))", table: "staff_device").map { try $0("account_id") }
    }

    func rememberStaffDevice(tokenIndex: [UInt8], accountID: String, at time: StoreTime) async throws {
        try await run("""
            INSERT INTO staff_device (token_index, account_id, created_at, last_used_at) VALUES (\(Data(tokenIndex)), \(accountID), \(time), \(time))
            ON CONFLICT (token_index) DO UPDATE SET last_used_at = excluded.last_used_at
            """)
        try await run("""
            DELETE FROM staff_device WHERE account_id = \(accountID) AND token_index NOT IN
                (SELECT token_index FROM staff_device WHERE account_id = \(accountID) ORDER BY last_used_at DESC LIMIT 10)
            """)
    }

    func forgetStaffDevices(accountID: String) async throws {
        try await run("DELETE FROM staff_device WHERE account_id = \(accountID)")
    }

    func deleteAPISessions(accountID: String) async throws {
        try await run("DELETE FROM api_session WHERE account_id = \(accountID)")
    }

    func assign(threadID: String, to accountID: String?) async throws {
        try await run("UPDATE thread SET assigned_to = \(accountID) WHERE id = \(threadID)")
    }

    func markFirstResponse(threadID: String, at time: StoreTime) async throws {
        try await run("UPDATE thread SET first_response_at = coalesce(first_response_at, \(time)) WHERE id = \(threadID)")
    }

    func raisePriority(threadID: String, to priority: Int) async throws {
        try await run("UPDATE thread SET priority = greatest(priority, \(priority)) WHERE id = \(threadID)")
    }

    func unhideUndeliveredRedirects(threadID: String?) async throws {
        try await run("""
            UPDATE thread SET redirected_at = NULL WHERE redirected_at IS NOT NULL AND (\(threadID)::text IS NULL OR id = \(threadID))
                AND EXISTS (SELECT 1 FROM outbox o WHERE o.thread_id = thread.id AND o.state IN ('failed', 'unknown') AND o.created_at >= thread.redirected_at)
            """)
    }

    func recordTriage(threadID: String, language: ConversationLanguage?, automaticAnswers: [String], redirectedAt: StoreTime?) async throws {
        try await run("""
            UPDATE thread SET language = \(language?.rawValue), automatic_answers = \(automaticAnswers.joined(separator: ",")),
                redirected_at = \(redirectedAt) WHERE id = \(threadID)
            """)
    }

    func threads(openedSince since: StoreTime, until: StoreTime, limit: Int) async throws -> [ThreadRecord] {
        try await rows(
            "SELECT * FROM thread WHERE opened_at >= \(since) AND opened_at < \(until) ORDER BY opened_at LIMIT \(limit)", table: "thread"
        ).map(Self.thread(from:))
    }

    func sealedCaseRecord(contactID: String) async throws -> Data? {
        try await row("SELECT sealed FROM case_record WHERE contact_id = \(contactID)", table: "case_record").map { try $0("sealed") }
    }

    func storeCaseRecord(contactID: String, sealed: Data, at time: StoreTime) async throws {
        try await run("""
            INSERT INTO case_record (contact_id, sealed, updated_at) VALUES (\(contactID), \(sealed), \(time))
            ON CONFLICT (contact_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
            """)
    }

    static func account(from row: PostgresRowReader) throws -> AccountRecord {
        guard let role = Role(rawValue: try row("role")) else { throw StoreError.corruptRow(table: "account") }
        return AccountRecord(
            id: try row("id"), name: try row("name"), role: role, passwordHash: try row("password_hash"), sealedTOTP: try row("sealed_totp"),
            key: try storedKey(row), enrolmentHash: try row("enrolment_hash"), enrolmentExpiresAt: try row("enrolment_expires_at"),
            disabled: try row("disabled"), failedLogins: try row("failed_logins"), lockedUntil: try row("locked_until"),
            lastTOTPStep: try row("last_totp_step"), createdAt: try row("created_at"))
    }
}
