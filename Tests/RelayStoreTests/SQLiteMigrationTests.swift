import Foundation
import GRDB
import RelayModel
@testable import RelayStore
import RelayTestSupport
import Testing

/// Migration 8 rebuilds the contact and thread tables (SQLite cannot widen a CHECK): a database
/// written at migration 7 keeps every row, its order, its references and its indexes.
struct SQLiteMigrationTests {
    @Test func aVersion7DatabaseKeepsEveryRowThroughTheRebuild() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteMigrations.migrator.migrate(queue, upTo: "v7-staff-devices")
            try await queue.write { db in
                for index in 0..<3 {
                    try db.execute(sql: """
                        INSERT INTO contact (id, channel, address_index, sealed_address, wrapped_key, kek_version, key_version, pseudonym, created_at, do_not_contact)
                        VALUES (?, 'sms', ?, x'01', x'02', 1, 1, ?, ?, ?)
                        """, arguments: ["c\(index)", Data(repeating: UInt8(index), count: 32), "P-\(index)", index, index == 1])
                    try db.execute(sql: """
                        INSERT INTO thread (id, contact_id, channel, state, wrapped_key, kek_version, key_version, opened_at, last_activity_at, priority)
                        VALUES (?, ?, 'webchat', 'open', x'03', 1, 1, ?, ?, ?)
                        """, arguments: ["t\(index)", "c\(index)", index, index, index])
                    try db.execute(sql: "INSERT INTO message (id, thread_id, direction, sealed_body, created_at) VALUES (?, ?, 'inbound', x'04', ?)",
                        arguments: ["m\(index)", "t\(index)", index])
                    try db.execute(sql: "INSERT INTO case_record (contact_id, sealed, updated_at) VALUES (?, x'05', 0)", arguments: ["c\(index)"])
                }
                // Delete one so rowids have a gap that must survive.
                try db.execute(sql: "DELETE FROM message WHERE id = 'm0'; DELETE FROM thread WHERE id = 't0'; DELETE FROM case_record WHERE contact_id = 'c0'; DELETE FROM contact WHERE id = 'c0'")
            }
            try queue.close()
        }
        let before = try Self.rowids(path)

        let store = try SQLiteStore(path: path)
        #expect(try await store.read { try await $0.contact(id: "c1")?.safety.doNotContact } == true)
        let thread = try #require(try await store.read { try await $0.thread(id: "t2") })
        #expect(thread.contactID == "c2" && thread.priority == 2 && thread.language == nil && thread.automaticAnswers.isEmpty)
        #expect(try await store.read { try await $0.messages(threadID: "t2").map(\.id) } == ["m2"])
        // The new channels and columns are accepted.
        try await store.write { writer in
            try await writer.insert(ThreadRecord(
                id: "t-email", contactID: "c1", channel: .email, state: .open, key: StoredKey(kekVersion: 1, keyVersion: 1, sealed: Data([9])),
                openedAt: 5, lastActivityAt: 5))
            try await writer.recordTriage(threadID: "t-email", language: .es, automaticAnswers: ["first_answer"], redirectedAt: 6)
            try await writer.setBlock(contactID: "c1", until: 99)
        }
        let email = try #require(try await store.read { try await $0.thread(id: "t-email") })
        #expect(email.language == .es && email.automaticAnswers == ["first_answer"] && email.redirectedAt == 6)
        #expect(try await store.read { try await $0.contact(id: "c1")?.blockedUntil } == 99)
        try store.close()

        let after = try Self.rowids(path)
        #expect(after.contact == before.contact && Array(after.thread.prefix(before.thread.count)) == before.thread)
        let check = try DatabaseQueue(path: path)
        defer { try? check.close() }
        try await check.read { db in
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('thread', 'contact') AND sql IS NOT NULL")
            #expect(Set(indexes).isSuperset(of: ["thread_by_contact", "thread_by_state", "thread_queue", "thread_wait_by_channel"]))
            #expect(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'thread'")?.contains("STRICT") == true)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v8'") == 0)
        }
    }

    static func rowids(_ path: String) throws -> (contact: [[String]], thread: [[String]]) {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            (try Row.fetchAll(db, sql: "SELECT rowid, id FROM contact ORDER BY rowid").map { ["\($0[0] as Int64)", $0[1]] },
             try Row.fetchAll(db, sql: "SELECT rowid, id FROM thread ORDER BY rowid").map { ["\($0[0] as Int64)", $0[1]] })
        }
    }
}
