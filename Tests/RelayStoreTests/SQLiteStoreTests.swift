import Foundation
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// What only SQLite has: its pragmas and file modes, reopening a file, the WAL truncated after an
/// erase (the contract both backends share is `StoreContractTests`).
struct SQLiteStoreTests {
    @Test func opensWithDurableAndErasingSettings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteStore(path: dir.file("data/saferelay.sqlite"))
        defer { try? store.close() }
        #expect(try store.pragma("journal_mode") == "wal")
        #expect(try store.pragma("synchronous") == "2")  // FULL
        #expect(try store.pragma("secure_delete") == "1")
        #expect(try store.pragma("foreign_keys") == "1")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.file("data/saferelay.sqlite"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func reopeningRunsNoMigrationTwiceAndKeepsData() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.sqlite")
        let store = try SQLiteStore(path: path)
        try await store.write { try await $0.insert(Fixtures.contact(id: "c1")) }
        try store.close()
        let reopened = try SQLiteStore(path: path)
        defer { try? reopened.close() }
        #expect(try await reopened.read { try await $0.contact(id: "c1") } == Fixtures.contact(id: "c1"))
    }

    @Test func erasingAThreadDeletesItsMessagesAndKeyAndTruncatesTheWAL() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.sqlite")
        let store = try SQLiteStore(path: path)
        let marker = Data("SEALED-BODY-MARKER-0123456789".utf8)
        let keyMarker = Data("WRAPPED-KEY-MARKER-0123456789".utf8)
        try await store.write { writer in
            try await writer.insert(Fixtures.contact(id: "c1"))
            var thread = Fixtures.thread(id: "t1", contactID: "c1")
            thread.key = StoredKey(kekVersion: 1, keyVersion: 1, sealed: keyMarker)
            try await writer.insert(thread)
            for index in 0..<50 {
                try await writer.insert(MessageRecord(id: "m\(index)", threadID: "t1", direction: .inbound, sealedBody: marker, deliveryIndex: nil, createdAt: 1))
            }
            try await writer.insert(Fixtures.thread(id: "t2", contactID: "c1"))
            try await writer.insert(Fixtures.message(id: "keep", threadID: "t2", delivery: nil))
        }
        let deleted = try await store.write { try await $0.eraseThread(id: "t1", at: 99) }
        #expect(deleted == 50)
        #expect(try await store.write { try await $0.eraseThread(id: "nope", at: 99) } == nil)
        try await store.checkpointAndTruncate()

        let erased = try #require(try await store.read { try await $0.thread(id: "t1") })
        #expect(erased.state == .erased && erased.key == nil && erased.erasedAt == 99)
        #expect(try await store.read { try await $0.messages(threadID: "t1") }.isEmpty)
        #expect(try await store.read { try await $0.messages(threadID: "t2").map(\.id) } == ["keep"])
        let walSize = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? -1
        #expect(walSize == 0)
        try store.close()
        #expect(try FileScan.hits(in: FileScan.databaseFiles(path), needles: [Array(marker), Array(keyMarker)]).isEmpty)
    }

}

enum Fixtures {
    static func contact(id: String) -> ContactRecord {
        ContactRecord(
            id: id, channel: .sms, addressIndex: Data(Array(id.utf8.prefix(32)) + Array(repeating: 0, count: max(0, 32 - id.utf8.count))),
            sealedAddress: Data([1, 2, 3]), key: StoredKey(kekVersion: 1, keyVersion: 1, sealed: Data([4, 5, 6])),
            pseudonym: "Quiet Heron 417", createdAt: 1)
    }

    static func thread(id: String, contactID: String) -> ThreadRecord {
        ThreadRecord(
            id: id, contactID: contactID, channel: .sms, state: .open,
            key: StoredKey(kekVersion: 1, keyVersion: 1, sealed: Data([7, 8, 9])), openedAt: 1, lastActivityAt: 1)
    }

    static func message(id: String, threadID: String, delivery: Data?) -> MessageRecord {
        MessageRecord(id: id, threadID: threadID, direction: .inbound, sealedBody: Data([1]), deliveryIndex: delivery, createdAt: 1)
    }
}
