import Foundation
import PostgresNIO
import RelayModel

/// `StoreReader` and `StoreWriter` over one PostgreSQL connection inside a transaction (a write
/// holds the store's writer lock, see ``PostgresStore``) or a repeatable-read snapshot (a read).
/// The statements are SQLite's, in PostgreSQL's dialect: the same rows, the same rules.
struct PostgresAccess: StoreWriter {
    let connection: PostgresConnection
    let logger: Logger

    // MARK: - Running statements

    /// Runs a statement and returns its rows, each read as a row of `table`.
    func rows(_ query: PostgresQuery, table: String) async throws -> [PostgresRowReader] {
        try await connection.query(query, logger: logger).collect().map { PostgresRowReader($0, table: table) }
    }

    /// Runs a statement and returns its first row, if any.
    func row(_ query: PostgresQuery, table: String) async throws -> PostgresRowReader? {
        try await rows(query, table: table).first
    }

    /// Runs a statement for its effect.
    func run(_ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    /// Runs a statement with `RETURNING 1` (or any one row per change) and counts the rows.
    func changes(_ query: PostgresQuery) async throws -> Int {
        try await connection.query(query, logger: logger).collect().count
    }

    /// Whether a statement returns any row.
    func exists(_ query: PostgresQuery) async throws -> Bool {
        try await !connection.query(query, logger: logger).collect().isEmpty
    }

    // MARK: - Reading

    func contact(addressIndex: [UInt8]) async throws -> ContactRecord? {
        try await row("SELECT * FROM contact WHERE address_index = \(Data(addressIndex))", table: "contact").map(Self.contact(from:))
    }

    func contact(id: String) async throws -> ContactRecord? {
        try await row("SELECT * FROM contact WHERE id = \(id)", table: "contact").map(Self.contact(from:))
    }

    func thread(id: String) async throws -> ThreadRecord? {
        try await row("SELECT * FROM thread WHERE id = \(id)", table: "thread").map(Self.thread(from:))
    }

    func openThread(contactID: String, channel: ChannelKind) async throws -> ThreadRecord? {
        try await row(
            "SELECT * FROM thread WHERE contact_id = \(contactID) AND channel = \(channel.rawValue) AND state = 'open' ORDER BY opened_at DESC LIMIT 1",
            table: "thread"
        ).map(Self.thread(from:))
    }

    func messages(threadID: String) async throws -> [MessageRecord] {
        try await rows("SELECT * FROM message WHERE thread_id = \(threadID) ORDER BY created_at, row_number", table: "message").map(Self.message(from:))
    }

    func message(deliveryIndex: [UInt8]) async throws -> MessageRecord? {
        try await row("SELECT * FROM message WHERE delivery_index = \(Data(deliveryIndex))", table: "message").map(Self.message(from:))
    }

    func wrappedKeyCounts() async throws -> [UInt32: Int] {
        var counts: [UInt32: Int] = [:]
        let found = try await rows("""
            SELECT kek_version, count(*) AS n FROM (
                SELECT kek_version FROM thread WHERE wrapped_key IS NOT NULL
                UNION ALL SELECT kek_version FROM contact WHERE wrapped_key IS NOT NULL
                UNION ALL SELECT kek_version FROM account WHERE wrapped_key IS NOT NULL) AS keys
            GROUP BY kek_version
            """, table: "keys")
        for row in found {
            guard let version = UInt32(exactly: try row("kek_version", as: Int64.self)) else { throw StoreError.corruptRow(table: "keys") }
            counts[version] = try row("n", as: Int.self)
        }
        return counts
    }

    func keys(notWrappedUnder kekVersion: UInt32, limit: Int) async throws -> [OwnedKey] {
        try await keys(kekVersion: kekVersion, equal: false, limit: limit)
    }

    func keys(wrappedUnder kekVersion: UInt32, limit: Int) async throws -> [OwnedKey] {
        try await keys(kekVersion: kekVersion, equal: true, limit: limit)
    }

    private func keys(kekVersion: UInt32, equal: Bool, limit: Int) async throws -> [OwnedKey] {
        let comparison = equal ? "=" : "<>"
        let version = Int64(kekVersion)
        let found = try await rows("""
            SELECT * FROM (
                SELECT 'thread' AS kind, id, wrapped_key, kek_version, key_version FROM thread
                    WHERE wrapped_key IS NOT NULL AND kek_version \(unescaped: comparison) \(version)
                UNION ALL
                SELECT 'contact' AS kind, id, wrapped_key, kek_version, key_version FROM contact
                    WHERE wrapped_key IS NOT NULL AND kek_version \(unescaped: comparison) \(version)
                UNION ALL
                SELECT 'account' AS kind, id, wrapped_key, kek_version, key_version FROM account
                    WHERE wrapped_key IS NOT NULL AND kek_version \(unescaped: comparison) \(version)) AS keys
            LIMIT \(limit)
            """, table: "keys")
        return try found.map { row in
            let id: String = try row("id")
            let kind: String = try row("kind")
            guard let key = try Self.storedKey(row) else { throw StoreError.corruptRow(table: kind) }
            let owner: KeyOwner = switch kind {
            case "thread": .thread(id)
            case "contact": .contact(id)
            default: .account(id)
            }
            return OwnedKey(owner: owner, key: key)
        }
    }

    // MARK: - Writing

    func insert(_ contact: ContactRecord) async throws {
        try await run("""
            INSERT INTO contact (id, channel, address_index, sealed_address, wrapped_key, kek_version, key_version, pseudonym, created_at, opted_out,
                                 do_not_contact, phone_monitored, not_safe_to_text)
            VALUES (\(contact.id), \(contact.channel.rawValue), \(contact.addressIndex), \(contact.sealedAddress), \(contact.key?.sealed),
                    \(contact.key.map { Int64($0.kekVersion) }), \(contact.key.map { Int64($0.keyVersion) }), \(contact.pseudonym),
                    \(contact.createdAt), \(contact.optedOut), \(contact.safety.doNotContact), \(contact.safety.phoneMayBeMonitored),
                    \(contact.safety.notSafeToText))
            """)
    }

    func insert(_ thread: ThreadRecord) async throws {
        try await run("""
            INSERT INTO thread (id, contact_id, channel, state, wrapped_key, kek_version, key_version,
                                opened_at, last_activity_at, closed_at, erased_at, last_inbound_at)
            VALUES (\(thread.id), \(thread.contactID), \(thread.channel.rawValue), \(thread.state.rawValue), \(thread.key?.sealed),
                    \(thread.key.map { Int64($0.kekVersion) }), \(thread.key.map { Int64($0.keyVersion) }),
                    \(thread.openedAt), \(thread.lastActivityAt), \(thread.closedAt), \(thread.erasedAt), \(thread.lastInboundAt))
            """)
    }

    func insert(_ message: MessageRecord) async throws {
        try await run("""
            INSERT INTO message (id, thread_id, direction, sealed_body, delivery_index, created_at)
            VALUES (\(message.id), \(message.threadID), \(message.direction.rawValue), \(message.sealedBody), \(message.deliveryIndex), \(message.createdAt))
            """)
    }

    func touchThread(id: String, at time: StoreTime, inbound: Bool) async throws {
        if inbound {
            try await run("""
                UPDATE thread SET last_activity_at = greatest(last_activity_at, \(time)), last_inbound_at = greatest(coalesce(last_inbound_at, 0), \(time))
                WHERE id = \(id)
                """)
        } else {
            try await run("UPDATE thread SET last_activity_at = greatest(last_activity_at, \(time)) WHERE id = \(id)")
        }
    }

    func replaceKey(of owner: KeyOwner, with key: StoredKey, expectedKEKVersion: UInt32) async throws -> Bool {
        let table = switch owner {
        case .thread: "thread"
        case .contact: "contact"
        case .account: "account"
        }
        return try await changes("""
            UPDATE \(unescaped: table) SET wrapped_key = \(key.sealed), kek_version = \(Int64(key.kekVersion)), key_version = \(Int64(key.keyVersion))
            WHERE id = \(owner.id) AND wrapped_key IS NOT NULL AND kek_version = \(Int64(expectedKEKVersion))
            RETURNING 1
            """) == 1
    }

    func eraseThread(id: String, at time: StoreTime) async throws -> Int? {
        guard try await thread(id: id) != nil else { return nil }
        let deleted = try await changes("DELETE FROM message WHERE thread_id = \(id) RETURNING 1")
        try await run("""
            UPDATE thread SET state = 'erased', wrapped_key = NULL, kek_version = NULL, key_version = NULL,
                erased_at = coalesce(erased_at, \(time)), closed_at = coalesce(closed_at, \(time))
            WHERE id = \(id)
            """)
        return deleted
    }

    // MARK: - Decoding rows

    /// A wrapped key from its three columns, or `nil` when there is none.
    static func storedKey(_ row: PostgresRowReader) throws -> StoredKey? {
        guard let sealed = try row("wrapped_key", as: Data?.self), let kek = try row("kek_version", as: Int64?.self),
            let version = try row("key_version", as: Int64?.self)
        else { return nil }
        guard let kekVersion = UInt32(exactly: kek), let keyVersion = UInt32(exactly: version) else { throw StoreError.corruptRow(table: row.table) }
        return StoredKey(kekVersion: kekVersion, keyVersion: keyVersion, sealed: sealed)
    }

    static func contact(from row: PostgresRowReader) throws -> ContactRecord {
        guard let channel = ChannelKind(rawValue: try row("channel")) else { throw StoreError.corruptRow(table: "contact") }
        return ContactRecord(
            id: try row("id"), channel: channel, addressIndex: try row("address_index"), sealedAddress: try row("sealed_address"),
            key: try storedKey(row), pseudonym: try row("pseudonym"), createdAt: try row("created_at"), optedOut: try row("opted_out"),
            safety: ContactSafetyFlags(
                doNotContact: try row("do_not_contact"), phoneMayBeMonitored: try row("phone_monitored"),
                notSafeToText: try row("not_safe_to_text")),
            blockedUntil: try row("blocked_until"))
    }

    static func thread(from row: PostgresRowReader) throws -> ThreadRecord {
        guard let channel = ChannelKind(rawValue: try row("channel")), let state = ThreadState(rawValue: try row("state")) else {
            throw StoreError.corruptRow(table: "thread")
        }
        var thread = ThreadRecord(
            id: try row("id"), contactID: try row("contact_id"), channel: channel, state: state, key: try storedKey(row),
            openedAt: try row("opened_at"), lastActivityAt: try row("last_activity_at"), closedAt: try row("closed_at"),
            erasedAt: try row("erased_at"), lastInboundAt: try row("last_inbound_at"))
        thread.assignedTo = try row("assigned_to")
        thread.priority = try row("priority")
        thread.firstResponseAt = try row("first_response_at")
        thread.eraseRequestedAt = try row("erase_requested_at")
        thread.language = (try row("language") as String?).flatMap(ConversationLanguage.init(rawValue:))
        thread.automaticAnswers = ThreadRecord.answers(try row("automatic_answers"))
        thread.redirectedAt = try row("redirected_at")
        return thread
    }

    static func message(from row: PostgresRowReader) throws -> MessageRecord {
        guard let direction = MessageDirection(rawValue: try row("direction")) else { throw StoreError.corruptRow(table: "message") }
        return MessageRecord(
            id: try row("id"), threadID: try row("thread_id"), direction: direction, sealedBody: try row("sealed_body"),
            deliveryIndex: try row("delivery_index"), createdAt: try row("created_at"))
    }
}
