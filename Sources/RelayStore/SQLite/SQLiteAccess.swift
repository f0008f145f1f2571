import Foundation
import GRDB
import RelayModel

/// `StoreReader` and `StoreWriter` over one GRDB connection inside a transaction or snapshot.
/// Its methods are synchronous (they witness the protocol's asynchronous ones without suspending)
/// and run only on the connection's thread, where ``ConnectionPump`` runs the transaction's body:
/// that is why it may be sent into the body's task although GRDB's connection is not `Sendable`.
struct SQLiteAccess: StoreWriter, @unchecked Sendable {
    let db: Database

    // MARK: - Reading

    func contact(addressIndex: [UInt8]) throws -> ContactRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM contact WHERE address_index = ?"), arguments: [Data(addressIndex)])
            .map(Self.contact(from:))
    }

    func contact(id: String) throws -> ContactRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM contact WHERE id = ?"), arguments: [id]).map(Self.contact(from:))
    }

    func thread(id: String) throws -> ThreadRecord? {
        try ThreadRecord.fetchOne(try db.cachedStatement(sql: "SELECT \(ThreadRecord.selection) FROM thread WHERE id = ?"), arguments: [id])
    }

    func openThread(contactID: String, channel: ChannelKind) throws -> ThreadRecord? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM thread WHERE contact_id = ? AND channel = ? AND state = 'open' ORDER BY opened_at DESC LIMIT 1"),
            arguments: [contactID, channel.rawValue]
        ).map(Self.thread(from:))
    }

    func messages(threadID: String) throws -> [MessageRecord] {
        try MessageRecord.fetchAll(try db.cachedStatement(sql: "SELECT \(MessageRecord.selection) FROM message WHERE thread_id = ? ORDER BY created_at, rowid"), arguments: [threadID])
    }

    func message(deliveryIndex: [UInt8]) throws -> MessageRecord? {
        try MessageRecord.fetchOne(try db.cachedStatement(sql: "SELECT \(MessageRecord.selection) FROM message WHERE delivery_index = ?"), arguments: [Data(deliveryIndex)])
    }

    func wrappedKeyCounts() throws -> [UInt32: Int] {
        var counts: [UInt32: Int] = [:]
        let rows = try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT kek_version, count(*) AS n FROM (
                SELECT kek_version FROM thread WHERE wrapped_key IS NOT NULL
                UNION ALL SELECT kek_version FROM contact WHERE wrapped_key IS NOT NULL
                UNION ALL SELECT kek_version FROM account WHERE wrapped_key IS NOT NULL)
            GROUP BY kek_version
            """))
        for row in rows {
            counts[UInt32(row["kek_version"] as Int64)] = row["n"]
        }
        return counts
    }

    func keys(notWrappedUnder kekVersion: UInt32, limit: Int) throws -> [OwnedKey] {
        try keys(kekVersion: kekVersion, comparison: "<>", limit: limit)
    }

    func keys(wrappedUnder kekVersion: UInt32, limit: Int) throws -> [OwnedKey] {
        try keys(kekVersion: kekVersion, comparison: "=", limit: limit)
    }

    private func keys(kekVersion: UInt32, comparison: StaticString, limit: Int) throws -> [OwnedKey] {
        let rows = try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT 'thread' AS kind, id, wrapped_key, kek_version, key_version FROM thread
                WHERE wrapped_key IS NOT NULL AND kek_version \(comparison) ?1
            UNION ALL
            SELECT 'contact' AS kind, id, wrapped_key, kek_version, key_version FROM contact
                WHERE wrapped_key IS NOT NULL AND kek_version \(comparison) ?1
            UNION ALL
            SELECT 'account' AS kind, id, wrapped_key, kek_version, key_version FROM account
                WHERE wrapped_key IS NOT NULL AND kek_version \(comparison) ?1
            LIMIT ?2
            """), arguments: [Int64(kekVersion), limit])
        return try rows.map { row in
            let id: String = row["id"]
            let kind: String = row["kind"]
            guard let key = Self.storedKey(row) else { throw StoreError.corruptRow(table: kind) }
            let owner: KeyOwner = switch kind {
            case "thread": .thread(id)
            case "contact": .contact(id)
            default: .account(id)
            }
            return OwnedKey(owner: owner, key: key)
        }
    }

    // MARK: - Writing

    func insert(_ contact: ContactRecord) throws {
        try db.cachedStatement(sql: """
                INSERT INTO contact (id, channel, address_index, sealed_address, wrapped_key, kek_version, key_version, pseudonym, created_at, opted_out,
                                     do_not_contact, phone_monitored, not_safe_to_text)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                contact.id, contact.channel.rawValue, contact.addressIndex, contact.sealedAddress,
                contact.key?.sealed, contact.key.map { Int64($0.kekVersion) }, contact.key.map { Int64($0.keyVersion) },
                contact.pseudonym, contact.createdAt, contact.optedOut,
                contact.safety.doNotContact, contact.safety.phoneMayBeMonitored, contact.safety.notSafeToText,
            ])
    }

    func insert(_ thread: ThreadRecord) throws {
        try db.cachedStatement(sql: """
                INSERT INTO thread (id, contact_id, channel, state, wrapped_key, kek_version, key_version,
                                    opened_at, last_activity_at, closed_at, erased_at, last_inbound_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                thread.id, thread.contactID, thread.channel.rawValue, thread.state.rawValue,
                thread.key?.sealed, thread.key.map { Int64($0.kekVersion) }, thread.key.map { Int64($0.keyVersion) },
                thread.openedAt, thread.lastActivityAt, thread.closedAt, thread.erasedAt, thread.lastInboundAt,
            ])
    }

    func insert(_ message: MessageRecord) throws {
        try db.cachedStatement(sql: "INSERT INTO message (id, thread_id, direction, sealed_body, delivery_index, created_at) VALUES (?, ?, ?, ?, ?, ?)").execute(arguments: [message.id, message.threadID, message.direction.rawValue, message.sealedBody, message.deliveryIndex, message.createdAt])
    }

    func touchThread(id: String, at time: StoreTime, inbound: Bool) throws {
        if inbound {
            try db.cachedStatement(sql: "UPDATE thread SET last_activity_at = max(last_activity_at, ?1), last_inbound_at = max(coalesce(last_inbound_at, 0), ?1) WHERE id = ?2").execute(arguments: [time, id])
        } else {
            try db.cachedStatement(sql: "UPDATE thread SET last_activity_at = max(last_activity_at, ?) WHERE id = ?").execute(arguments: [time, id])
        }
    }

    func replaceKey(of owner: KeyOwner, with key: StoredKey, expectedKEKVersion: UInt32) throws -> Bool {
        let table = switch owner {
        case .thread: "thread"
        case .contact: "contact"
        case .account: "account"
        }
        try db.cachedStatement(sql: "UPDATE \(table) SET wrapped_key = ?, kek_version = ?, key_version = ? WHERE id = ? AND wrapped_key IS NOT NULL AND kek_version = ?").execute(arguments: [key.sealed, Int64(key.kekVersion), Int64(key.keyVersion), owner.id, Int64(expectedKEKVersion)])
        return db.changesCount == 1
    }

    func eraseThread(id: String, at time: StoreTime) throws -> Int? {
        guard try thread(id: id) != nil else { return nil }
        try db.cachedStatement(sql: "DELETE FROM message WHERE thread_id = ?").execute(arguments: [id])
        let deleted = db.changesCount
        try db.cachedStatement(sql: """
                UPDATE thread SET state = 'erased', wrapped_key = NULL, kek_version = NULL, key_version = NULL,
                    erased_at = coalesce(erased_at, ?), closed_at = coalesce(closed_at, ?)
                WHERE id = ?
                """).execute(arguments: [time, time, id])
        return deleted
    }

    // MARK: - Decoding rows

    static func storedKey(_ row: Row) -> StoredKey? {
        storedKey(sealed: row["wrapped_key"], kek: row["kek_version"], version: row["key_version"])
    }

    /// A wrapped key from its three columns, or `nil` when there is none (or a version is out of range).
    static func storedKey(sealed: Data?, kek: Int64?, version: Int64?) -> StoredKey? {
        guard let sealed, let kek, let version, let kekVersion = UInt32(exactly: kek), let keyVersion = UInt32(exactly: version) else { return nil }
        return StoredKey(kekVersion: kekVersion, keyVersion: keyVersion, sealed: sealed)
    }

    static func contact(from row: Row) throws -> ContactRecord {
        guard let channel = ChannelKind(rawValue: row["channel"]) else { throw StoreError.corruptRow(table: "contact") }
        return ContactRecord(
            id: row["id"], channel: channel, addressIndex: row["address_index"], sealedAddress: row["sealed_address"],
            key: storedKey(row), pseudonym: row["pseudonym"], createdAt: row["created_at"], optedOut: row["opted_out"],
            safety: ContactSafetyFlags(
                doNotContact: row["do_not_contact"], phoneMayBeMonitored: row["phone_monitored"], notSafeToText: row["not_safe_to_text"]),
            blockedUntil: row["blocked_until"])
    }

    static func thread(from row: Row) throws -> ThreadRecord {
        guard let channel = ChannelKind(rawValue: row["channel"]), let state = ThreadState(rawValue: row["state"]) else {
            throw StoreError.corruptRow(table: "thread")
        }
        var thread = ThreadRecord(
            id: row["id"], contactID: row["contact_id"], channel: channel, state: state, key: storedKey(row),
            openedAt: row["opened_at"], lastActivityAt: row["last_activity_at"], closedAt: row["closed_at"], erasedAt: row["erased_at"],
            lastInboundAt: row["last_inbound_at"])
        thread.assignedTo = row["assigned_to"]
        thread.priority = row["priority"]
        thread.firstResponseAt = row["first_response_at"]
        thread.eraseRequestedAt = row["erase_requested_at"]
        thread.language = (row["language"] as String?).flatMap(ConversationLanguage.init(rawValue:))
        thread.automaticAnswers = ThreadRecord.answers(row["automatic_answers"])
        thread.redirectedAt = row["redirected_at"]
        return thread
    }

    static func message(from row: Row) throws -> MessageRecord {
        guard let direction = MessageDirection(rawValue: row["direction"]) else { throw StoreError.corruptRow(table: "message") }
        return MessageRecord(
            id: row["id"], threadID: row["thread_id"], direction: direction, sealedBody: row["sealed_body"],
            deliveryIndex: row["delivery_index"], createdAt: row["created_at"])
    }
}
