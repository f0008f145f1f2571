import Foundation
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// `StoreCopy` moves every kind of row, as it is: a hotline's conversations (an open thread and an
/// erased one, messages, an outbox entry with an override), a contact's flags, the audit log with
/// its checkpoint and pending events; and refuses a target that holds data.
@Suite(.timeLimit(.minutes(3)))
struct StoreCopyTests {
    @Test func everyRowArrivesAsItWasAndATargetWithDataIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("data/saferelay.sqlite")
        let source = try SQLiteStore(path: path)
        let contact = Fixtures.contact(id: "c1")
        try await source.write { writer in
            try await writer.insert(contact)
            try await writer.setOptedOut(contactID: "c1", true)
            try await writer.setSafety(contactID: "c1", ContactSafetyFlags(doNotContact: true, phoneMayBeMonitored: false, notSafeToText: true))
            try await writer.insert(Fixtures.thread(id: "t1", contactID: "c1"))
            try await writer.insert(Fixtures.thread(id: "t2", contactID: "c1"))
            try await writer.insert(Fixtures.message(id: "m1", threadID: "t1", delivery: Data(repeating: 3, count: 32)))
            try await writer.insert(Fixtures.message(id: "m2", threadID: "t1", delivery: nil))
            try await writer.insert(Fixtures.message(id: "m3", threadID: "t2", delivery: nil))
            try await writer.insert(OutboxRecord(
                id: "o1", messageID: "m2", threadID: "t1", state: .unknown, attempts: 2, nextAttemptAt: 5, errorCode: "timeout",
                createdAt: 3, updatedAt: 4, cautionOverride: true))
            _ = try await writer.eraseThread(id: "t2", at: 9)
            for seq in Int64(0)..<3 {
                try await writer.appendAudit(AuditRow(seq: seq, line: "{\"n\":\(seq)}", leafHash: Data(repeating: UInt8(seq), count: 32), createdAt: seq))
            }
            try await writer.insert(CheckpointRow(treeSize: 3, note: "note", createdAt: 3))
            try await writer.insertPendingAudit(event: "{\"pending\":1}", at: 10)
        }
        let expected = try await Self.snapshot(source)
        try source.close()

        let database = try await TestDatabase.create()
        let target = try await PostgresStore(url: database.url)
        let counts = try await StoreCopy.copy(fromSQLite: path, to: target)
        #expect(counts["thread"] == 2 && counts["message"] == 2 && counts["outbox"] == 1 && counts["audit_event"] == 3)
        #expect(try await Self.snapshot(target) == expected)
        // A pending event added after the copy gets an id after the copied ones.
        try await target.write { try await $0.insertPendingAudit(event: "{\"pending\":2}", at: 11) }
        #expect(try await target.read { try await $0.pendingAudit(limit: 10).map(\.event) } == ["{\"pending\":1}", "{\"pending\":2}"])

        await #expect(throws: StoreCopy.Failure.targetNotEmpty(table: "contact")) {
            try await StoreCopy.copy(fromSQLite: path, to: target)
        }
        try target.close()
        try await database.drop()
    }

    /// What the relay reads of every copied row, as one comparable text.
    static func snapshot(_ store: any RelayStore) async throws -> String {
        try await store.read { reader in
            var lines: [String] = []
            lines.append("\(String(describing: try await reader.contact(id: "c1")))")
            for thread in try await reader.threads(contactID: "c1") {
                lines.append("\(thread)")
                for message in try await reader.messages(threadID: thread.id) { lines.append("\(message)") }
            }
            lines.append("\(String(describing: try await reader.outbox(messageID: "m2")))")
            lines.append("\(try await reader.auditEvents(from: 0, limit: 10))")
            lines.append("\(try await reader.auditCheckpoints())")
            lines.append("\(try await reader.pendingAudit(limit: 10).map { ($0.event, $0.createdAt) })")
            return lines.joined(separator: "\n")
        }
    }
}
