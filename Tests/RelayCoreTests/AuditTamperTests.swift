import Foundation
import GRDB
import RelayCrypto
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayCore

/// The audit log is tamper-evident: any change, deletion, reordering or rollback is found and named.
@Suite(.serialized)
struct AuditTamperTests {
    /// A relay with 40 audited events and checkpoints at 10, 25 and 40, then `tamper` applied with raw SQL.
    static func tampered(_ tamper: (Database) throws -> Void) async throws -> AuditVerification {
        var settings = RelaySettings()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        settings.auditWitnessPath = directory.file("audit-checkpoint.latest")
        let store = try SQLiteStore(path: directory.file("data/saferelay.sqlite"))
        let relay = Relay(store: store, keyring: .generate(now: "2026-11-23T20:00:00Z"), settings: settings, logger: CapturedLogs().logger())
        for index in 0..<40 {
            try await relay.auditLog.record(AuditEvent(actor: "advocate-\(index % 3)", role: "advocate", action: "thread.view", threadID: "thread-\(index)", purpose: "follow-up"))
            if [9, 24, 39].contains(index) { try await relay.auditLog.writeCheckpoint() }
        }
        #expect(try await relay.auditLog.verify(witnessNote: try String(contentsOfFile: settings.auditWitnessPath!, encoding: .utf8)).isValid)
        try store.close()
        let queue = try DatabaseQueue(path: directory.file("data/saferelay.sqlite"))
        try queue.write(tamper)
        try queue.close()
        let reopened = try SQLiteStore(path: directory.file("data/saferelay.sqlite"))
        defer { try? reopened.close() }
        let again = Relay(store: reopened, keyring: relay.keyring, settings: settings, logger: CapturedLogs().logger())
        return try await again.auditLog.verify(witnessNote: try String(contentsOfFile: settings.auditWitnessPath!, encoding: .utf8))
    }

    @Test func anUntouchedLogVerifies() async throws {
        let result = try await Self.tampered { _ in }
        #expect(result.isValid)
        #expect(result.events == 40 && result.checkpoints == 4 && result.latestCheckpoint == 40)
    }

    @Test func oneChangedByteIsNamed() async throws {
        let result = try await Self.tampered { db in
            try db.execute(sql: "UPDATE audit_event SET line = replace(line, 'follow-up', 'follow-uq') WHERE seq = 17")
        }
        #expect(!result.isValid)
        #expect(result.problems.first == "event #17 was changed: its line does not match its leaf hash")
    }

    @Test func aChangeWithARecomputedLeafHashIsCaughtByTheCheckpoint() async throws {
        let result = try await Self.tampered { db in
            let line = try String.fetchOne(db, sql: "SELECT line FROM audit_event WHERE seq = 17")!.replacingOccurrences(of: "advocate-2", with: "advocate-0")
            try db.execute(sql: "UPDATE audit_event SET line = ?, leaf_hash = ? WHERE seq = 17", arguments: [line, Data(MerkleTree.leafHash(Array(line.utf8)))])
        }
        #expect(!result.isValid)
        #expect(result.problems.first?.contains("checkpoint at size 25 does not match the log: an event from #10 to #24 was changed") == true)
    }

    @Test func aDeletedEventIsNamed() async throws {
        let result = try await Self.tampered { db in try db.execute(sql: "DELETE FROM audit_event WHERE seq = 5") }
        #expect(result.problems.first == "event #5 is missing (the next stored event is #6)")
    }

    @Test func twoReorderedEventsAreNamed() async throws {
        let result = try await Self.tampered { db in
            let rows = try Row.fetchAll(db, sql: "SELECT seq, line, leaf_hash FROM audit_event WHERE seq IN (3, 4) ORDER BY seq")
            try db.execute(sql: "UPDATE audit_event SET line = ?, leaf_hash = ? WHERE seq = 3", arguments: [rows[1]["line"] as String, rows[1]["leaf_hash"] as Data])
            try db.execute(sql: "UPDATE audit_event SET line = ?, leaf_hash = ? WHERE seq = 4", arguments: [rows[0]["line"] as String, rows[0]["leaf_hash"] as Data])
        }
        #expect(result.problems.first == "event #3 holds the line of another position (reordered or moved)")
    }

    @Test func aRollbackToAnEarlierSizeIsNamed() async throws {
        let result = try await Self.tampered { db in
            try db.execute(sql: "DELETE FROM audit_event WHERE seq >= 30")
            try db.execute(sql: "DELETE FROM audit_checkpoint WHERE tree_size > 30")
        }
        #expect(!result.isValid)
        #expect(result.problems.contains("the log was rolled back or truncated: a checkpoint commits to 40 events but the log holds 30"))
    }

    @Test func aCheckpointSignedByAnotherKeyIsRefused() async throws {
        let result = try await Self.tampered { db in
            let origin = try String.fetchOne(db, sql: "SELECT note FROM audit_checkpoint WHERE tree_size = 25")!.split(separator: "\n")[0]
            let forged = SignedCheckpoint(origin: String(origin), treeSize: 25, rootHash: SHA256.hash([9])).signed(with: SigningKey.generate())
            try db.execute(sql: "UPDATE audit_checkpoint SET note = ? WHERE tree_size = 25", arguments: [forged])
        }
        #expect(result.problems.first == "checkpoint at size 25: checkpoint is not signed by this log's key")
    }

    @Test func anAuditFailureRefusesTheAction() async throws {
        let harness = try RelayHarness()
        defer { harness.directory.remove() }
        try harness.store.close()
        await #expect(throws: (any Error).self) { try await harness.relay.auditLog.record(AuditEvent(actor: "a", role: "advocate", action: "thread.view")) }
    }
}
