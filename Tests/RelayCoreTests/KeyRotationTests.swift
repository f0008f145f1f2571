import Foundation
@testable import RelayCore
import RelayCrypto
import RelayStore
import Testing

struct KeyRotationTests {
    @Test func afterRotationOldAndNewMessagesBothRead() async throws {
        let original = Keyring.generate(now: "2026-11-23T20:00:00Z")
        let harness = try RelayHarness(keyring: original)
        defer { harness.tearDown() }
        var threads: [String] = []
        for index in 0..<7 {
            threads.append(try await harness.relay.intake.ingest(harness.sms("+1202555010\(index)", "before \(index)")).threadID)
        }
        let rotated = original.rotated(now: "2026-11-24T20:00:00Z")
        let relay = harness.with(keyring: rotated)
        let report = try await relay.keys.rewrapAllKeys(batchSize: 3)
        #expect(report.rewrapped == 14)  // 7 threads and 7 contacts
        #expect(try await harness.store.read { try await $0.wrappedKeyCounts() } == [2: 14])
        #expect(try await relay.keys.rewrapAllKeys().rewrapped == 0)

        _ = try await relay.intake.ingest(harness.sms("+12025550100", "after"))
        _ = try await relay.intake.ingest(harness.sms("+12025550199", "new contact after"))
        #expect(try await relay.sealing.decryptedMessages(threadID: threads[0]).map(\.body) == ["before 0", "after"])
        for (index, thread) in threads.enumerated().dropFirst() {
            #expect(try await relay.sealing.decryptedMessages(threadID: thread).map(\.body) == ["before \(index)"])
        }
        // The old keyring cannot read keys rewrapped under the new version.
        await #expect(throws: RelayError.undecryptable) { try await harness.relay.sealing.decryptedMessages(threadID: threads[1]) }
        // Blind indexes did not change: the same sender still finds the same contact.
        #expect(try await relay.intake.ingest(harness.sms("+12025550103", "x")).threadID == threads[3])
    }
}
