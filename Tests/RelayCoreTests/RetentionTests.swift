import Foundation
import RelayCrypto
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayCore

/// Clock-driven retention: no sleeps, a manual clock moved by days.
struct RetentionTests {
    static let day: TimeInterval = 86_400

    static func policy(_ yaml: String = "") throws -> RetentionPolicy {
        try RetentionPolicy.parse(
            yaml.isEmpty
                ? """
                content: {idle_close_after: 24h, after_close: 30d}
                metadata: {keep_for: 365d}
                audit: {keep_for: 7y}
                """ : yaml, file: "test.yaml")
    }

    @Test func aThreadPastItsLifetimeIsPurgedWhileItsNeighbourSurvives() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let old = try await harness.relay.intake.ingest(harness.sms("+12025550100", "CANARY-OLD-THREAD", sid: "SM1"))
        harness.clock.advance(by: 20 * Self.day)
        let recent = try await harness.relay.intake.ingest(harness.sms("+12025550111", "recent", sid: "SM2"))
        let policy = try Self.policy()

        // Day 20: the old thread is idle > 24h: it is closed, not purged.
        var receipt = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now(), actor: "test")
        #expect(receipt.counts.threadsToClose == 1 && receipt.counts.threadsToPurge == 0)
        #expect(try await harness.relay.sealing.decryptedMessages(threadID: old.threadID).map(\.body) == ["CANARY-OLD-THREAD"])

        // Day 51: 31 days after closing, the old thread is purged; the recent one (closed day 21) survives.
        harness.clock.advance(by: 31 * Self.day)
        receipt = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now(), actor: "test")
        #expect(receipt.counts.threadsToPurge == 1 && receipt.counts.messagesToPurge == 1)
        await #expect(throws: RelayError.threadErased) { try await harness.relay.sealing.decryptedMessages(threadID: old.threadID) }
        #expect(try await harness.relay.sealing.decryptedMessages(threadID: recent.threadID).map(\.body) == ["recent"])

        // Canaries of the purged thread are nowhere in the files or logs.
        try harness.store.close()
        let needle = Array("CANARY-OLD-THREAD".utf8)
        #expect(try FileScan.hits(in: FileScan.databaseFiles(harness.databasePath), needles: [needle]).isEmpty)
        #expect(!Array(harness.logs.text.utf8).contains(subsequence: needle))
    }

    @Test func aHoldKeepsAThreadAndReleasingItLetsRetentionProceed() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let held = try await harness.relay.intake.ingest(harness.sms("+12025550100", "held", sid: "SM1"))
        try await harness.relay.retention.addHold(threadID: held.threadID, reason: "Order 2026-117", actor: "cli:maria")
        harness.clock.advance(by: 400 * Self.day)
        let receipt = try await harness.relay.retention.apply(policy: try Self.policy(), asOf: harness.clock.now(), actor: "test")
        #expect(receipt.counts.threadsHeld == 1 && receipt.counts.threadsToPurge == 0 && receipt.counts.threadsToClose == 0)
        #expect(try await harness.relay.sealing.decryptedMessages(threadID: held.threadID).map(\.body) == ["held"])

        try await harness.relay.retention.releaseHold(threadID: held.threadID, actor: "cli:maria")
        _ = try await harness.relay.retention.apply(policy: try Self.policy(), asOf: harness.clock.now(), actor: "test")  // closes
        harness.clock.advance(by: 31 * Self.day)
        let after = try await harness.relay.retention.apply(policy: try Self.policy(), asOf: harness.clock.now(), actor: "test")
        #expect(after.counts.threadsToPurge == 1)
        await #expect(throws: RelayError.self) { try await harness.relay.retention.addHold(threadID: "missing", reason: "x", actor: "a") }
        await #expect(throws: RelayError.self) { try await harness.relay.retention.addHold(threadID: held.threadID, reason: "  ", actor: "a") }
    }

    @Test func aSurvivorsEraseRequestIsDeferredByAHoldAndCarriedOutAfterRelease() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let thread = try await harness.relay.intake.ingest(harness.sms("+12025550100", "evidence", sid: "SM1"))
        try await harness.relay.retention.addHold(threadID: thread.threadID, reason: "Order 7", actor: "cli:maria")
        let outcome = try await harness.relay.intake.handleKeyword(.erase, from: .phone("+12025550100"), deliveryID: "SM2")
        // The survivor is told, in neutral words, that part of it is kept for now: not "Done".
        #expect(outcome == .eraseDeferred(notice: harness.relay.settings.eraseDeferredNotice))
        #expect(try await harness.relay.sealing.decryptedMessages(threadID: thread.threadID).map(\.body) == ["evidence"])
        // The hold covers the whole contact: it is still there until the hold ends.
        #expect(try await harness.store.read { try await $0.contact(id: thread.contactID) } != nil)

        try await harness.relay.retention.releaseHold(threadID: thread.threadID, actor: "cli:maria")
        let plan = try await RetentionPlanner.plan(store: harness.store, policy: try Self.policy(), asOf: harness.clock.now())
        #expect(plan.entries.first { $0.threadID == thread.threadID }?.action == .purge(reason: "survivor asked for erasure"))
        let applied = try await harness.relay.retention.apply(policy: try Self.policy(), asOf: harness.clock.now(), actor: "test")
        await #expect(throws: RelayError.threadErased) { try await harness.relay.sealing.decryptedMessages(threadID: thread.threadID) }
        // With its last content gone, the contact goes too.
        #expect(applied.contactsDeleted == 1)
        #expect(try await harness.store.read { try await $0.contact(id: thread.contactID) } == nil)
    }

    @Test func aPolicyThatHonoursErasureErasesEvenAHeldThread() async throws {
        var settings = RelaySettings()
        settings.holdDefersSurvivorErase = false
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("saferelay.sqlite"))
        defer { try? store.close() }
        let relay = Relay(store: store, keyring: .generate(now: "2026-11-23T20:00:00Z"), settings: settings, logger: CapturedLogs().logger())
        let thread = try await relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "x", deliveryID: "SM1"))
        try await relay.retention.addHold(threadID: thread.threadID, reason: "Order 7", actor: "a")
        _ = try await relay.intake.handleKeyword(.erase, from: .phone("+12025550100"), deliveryID: "SM2")
        await #expect(throws: RelayError.threadErased) { try await relay.sealing.decryptedMessages(threadID: thread.threadID) }
    }

    @Test func planAndApplyAgreeOnCounts() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        for index in 0..<30 {
            _ = try await harness.relay.intake.ingest(harness.sms("+1202555\(String(format: "%04d", index))", "m", sid: "SMa\(index)"))
            _ = try await harness.relay.intake.ingest(harness.sms("+1202555\(String(format: "%04d", index))", "n", sid: "SMb\(index)"))
            harness.clock.advance(by: Self.day * 2)
            // Threads close one by one as they go idle.
            _ = try await harness.relay.retention.apply(policy: try Self.policy(), asOf: harness.clock.now(), actor: "test")
        }
        let policy = try Self.policy()
        harness.clock.advance(by: 10 * Self.day)
        let plan = try await RetentionPlanner.plan(store: harness.store, policy: policy, asOf: harness.clock.now())
        let receipt = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now(), actor: "test", batchSize: 7)
        #expect(plan.counts.threadsToPurge > 0 && plan.counts.threadsKept > 0)
        #expect(receipt.counts.threadsToPurge == plan.counts.threadsToPurge)
        #expect(receipt.counts.messagesToPurge == plan.counts.messagesToPurge)
        #expect(receipt.counts.threadsToClose == plan.counts.threadsToClose)
        #expect(receipt.batches == Int((Double(plan.counts.threadsToPurge + plan.counts.threadsToClose) / 7).rounded(.up)))
        // Applying again does nothing more; the audit log holds a receipt per batch and verifies.
        let again = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now(), actor: "test")
        #expect(again.counts.threadsToPurge == 0)
        #expect(try await harness.relay.auditLog.verify().isValid)
    }

    @Test func zeroRetentionPurgesAtCloseAndMetadataGoesAfterItsLifetime() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let thread = try await harness.relay.intake.ingest(harness.sms("+12025550100", "gone at close", sid: "SM1"))
        let policy = try RetentionPolicy.load(path: Self.repositoryFile("Policies/zero-retention.yaml"))
        harness.clock.advance(by: 3 * 3600)
        let receipt = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now(), actor: "test")
        #expect(receipt.counts.threadsToClose == 1 && receipt.counts.threadsToPurge == 1)
        #expect(try await harness.store.read { try await $0.thread(id: thread.threadID)?.state } == .erased)
        // The contact (key, sealed number, case record) goes with its last content, not a month later.
        #expect(receipt.contactsDeleted == 1)
        harness.clock.advance(by: 31 * Self.day)
        let later = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now(), actor: "test")
        #expect(later.counts.metadataToDelete == 1 && later.contactsDeleted == 0)
        #expect(try await harness.store.read { try await $0.thread(id: thread.threadID) } == nil)
    }

    @Test func anInterruptedApplyLeavesEveryThreadWholeOrGoneAndARerunFinishes() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        var threads: [String] = []
        for index in 0..<40 {
            threads.append(try await harness.relay.intake.ingest(harness.sms("+1202555\(String(format: "%04d", index))", "body \(index)", sid: "SM\(index)")).threadID)
        }
        let policy = try Self.policy()
        _ = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now().addingTimeInterval(2 * Self.day), actor: "test")
        let late = harness.clock.now().addingTimeInterval(40 * Self.day)
        let relay = harness.relay
        let task = Task {
            try await relay.retention.apply(policy: policy, asOf: late, actor: "test", batchSize: 3) { done, _ in
                if done >= 9 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        var purged = 0
        for thread in threads {
            do {
                #expect(try await harness.relay.sealing.decryptedMessages(threadID: thread).count == 1)
            } catch RelayError.threadErased {
                purged += 1
                #expect(try await harness.store.read { try await $0.messages(threadID: thread) }.isEmpty)
            }
        }
        #expect(purged == 9)
        let rerun = try await harness.relay.retention.apply(policy: policy, asOf: late, actor: "test")
        #expect(rerun.counts.threadsToPurge == 31)
    }

    @Test func auditLinesPastTheirLifetimeArePrunedAndTheLogStillVerifies() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        for index in 0..<5 { try await harness.relay.auditLog.record(AuditEvent(actor: "a", role: "advocate", action: "thread.view", threadID: "t\(index)")) }
        try await harness.relay.auditLog.writeCheckpoint()
        harness.clock.advance(by: 8 * 365 * Self.day)
        let receipt = try await harness.relay.retention.apply(policy: try Self.policy(), asOf: harness.clock.now(), actor: "test")
        #expect(receipt.auditLinesPruned == 5)
        let verification = try await harness.relay.auditLog.verify()
        #expect(verification.isValid && verification.pruned == 5 && verification.events == 6)
        var exported: [String] = []
        _ = try await harness.relay.auditLog.export { exported.append($0) }
        #expect(exported[1].hasPrefix(#"{"pruned":"#))
    }

    static func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(path).path
    }

    @Test func theShippedPoliciesLoad() throws {
        let standard = try RetentionPolicy.load(path: Self.repositoryFile("Policies/default.yaml"))
        #expect(standard.content.idleCloseAfter == Self.day && standard.content.afterClose == 30 * Self.day)
        #expect(standard.metadata == 365 * Self.day && standard.audit == 7 * 365 * Self.day && standard.holdDefersSurvivorErase)
        #expect(standard.lifetimes(channel: .webchat).idleCloseAfter == 2 * 3600)
        let zero = try RetentionPolicy.load(path: Self.repositoryFile("Policies/zero-retention.yaml"))
        #expect(zero.content.afterClose == 0)
    }

    static let badPolicies: [(String, Int, String)] = [
        ("content: {idle_close_after: 24h, after_close: 30x}\nmetadata: {keep_for: 1y}\naudit: {keep_for: 1y}\n", 1, "is not a duration"),
        ("content:\n  idle_close_after: 24h\n  after_clsoe: 30d\nmetadata: {keep_for: 1y}\naudit: {keep_for: 1y}\n", 3, "unknown key `after_clsoe`"),
        ("metadata: {keep_for: 1y}\naudit: {keep_for: 1y}\n", 1, "missing `content`"),
        ("content: {idle_close_after: 24h, after_close: 1d}\nmetadata: {keep_for: 1y}\naudit: {keep_for: 1y}\nlegal_hold: {survivor_erase: maybe}\n", 4, "defer"),
        ("content: [1, 2\n", 2, "not valid YAML"),
        ("content: {idle_close_after: 24h, after_close: 1d}\nmetadata: {keep_for: 1y}\naudit: {keep_for: 1y}\noverrides:\n  - channel: fax\n", 5, "channel must be"),
    ]

    @Test(arguments: badPolicies)
    func aPolicyWithAnErrorIsRefusedWithItsLineAndReason(yaml: String, line: Int, reason: String) {
        #expect {
            try RetentionPolicy.parse(yaml, file: "Policies/bad.yaml")
        } throws: { error in
            guard let error = error as? PolicyError else { return false }
            return error.line == line && error.reason.contains(reason) && error.description.hasPrefix("Policies/bad.yaml:\(line): ")
        }
    }
}
