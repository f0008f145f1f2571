import Foundation
import RelayModel
import Synchronization
@testable import RelayCore
import RelayCrypto
import RelayStore
import RelayTestSupport
import Testing

/// Invariant 2, in order: no ciphertext of a thread is read for a view until the view's audit event
/// has committed. The real store reports every statement each connection runs; nothing is mocked.
struct AuditOrderTests {
    final class StatementLog: Sendable {
        private let lines = Mutex<[(connection: String, sql: String)]>([])
        func append(_ connection: String, _ sql: String) { lines.withLock { $0.append((connection, sql)) } }
        var all: [(connection: String, sql: String)] { lines.withLock { $0 } }
        func clear() { lines.withLock { $0.removeAll() } }
    }

    @Test func aViewReadsNoCiphertextBeforeItsAuditEventHasCommitted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = StatementLog()
        let store = try SQLiteStore(path: directory.file("saferelay.sqlite")) { connection, sql in log.append(connection, sql) }
        defer { try? store.close() }
        let relay = Relay(store: store, keyring: .generate(now: "2026-11-23T20:00:00Z"), logger: CapturedLogs().logger())
        let first = try await relay.intake.ingest(InboundMessage(address: .phone("+12025550400"), body: "earlier visit", deliveryID: "SMo1"))
        try await store.write { try await $0.closeThread(id: first.threadID, at: 1) }
        let thread = try await relay.intake.ingest(InboundMessage(address: .phone("+12025550400"), body: "ORDER-CANARY", deliveryID: "SMo2"))
        let advocate = StaffIdentity(accountID: "a1", name: "ana", role: .advocate)

        log.clear()
        let view = try await relay.advocacy.viewThread(threadID: thread.threadID, by: advocate, purpose: "covering: a shift")
        #expect(view.messages.map(\.message.body) == ["ORDER-CANARY"] && view.earlier.count == 1)

        let lines = log.all
        let auditInsert = try #require(lines.firstIndex { $0.sql.contains("INSERT INTO audit_event") }, "the view was not audited")
        let writer = lines[auditInsert].connection
        let commit = try #require(
            lines.indices.first { $0 > auditInsert && lines[$0].connection == writer && lines[$0].sql.hasPrefix("COMMIT") },
            "the audit event never committed")
        let firstCiphertextRead = try #require(
            lines.firstIndex { $0.sql.contains("FROM message WHERE thread_id") || $0.sql.contains("FROM case_record") },
            "the view read no ciphertext")
        #expect(commit < firstCiphertextRead, "ciphertext read at statement \(firstCiphertextRead), audit committed at \(commit)")
        // Every thread shown (this one and the earlier one) is in that committed batch.
        let inserts = lines[auditInsert..<commit].filter { $0.sql.contains("INSERT INTO audit_event") }
        #expect(inserts.count == 2)
    }
}
