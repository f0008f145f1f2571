import Foundation
@testable import RelayCore
import RelayStore
import RelayTestSupport
import Testing

/// The WAL truncation keeper: many deletions at once while a reader blocks cost a couple of
/// attempts, not one each (every attempt holds the writer), and the debt is paid once the reader goes.
struct WALTruncationTests {
    @Test(.timeLimit(.minutes(1)))
    func concurrentDeletionsShareAttemptsAndTheDebtIsPaidWhenTheReaderLeaves() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        var ingested: [String] = []
        for index in 0..<10 {
            ingested.append(try await harness.relay.intake.ingest(harness.sms("+1202555060\(index)", "SHRED-\(index)", sid: "SMw\(index)")).threadID)
        }
        let threads = ingested
        let sealed = try await harness.store.read { reader in
            var keys: [[UInt8]] = []
            for id in threads { keys.append([UInt8](try await reader.thread(id: id)!.key!.sealed)) }
            return keys
        }
        try await harness.store.checkpointAndTruncate()

        // A reader on its own connection holds an old snapshot until the test lets it go.
        let reader = try await SnapshotHolder(path: harness.databasePath)

        let before = await harness.relay.walTruncation.attemptsMade
        try await withThrowingTaskGroup(of: Void.self) { group in
            for thread in threads { group.addTask { _ = try await harness.relay.erasure.eraseThread(id: thread) } }
            try await group.waitForAll()
        }
        let attempts = await harness.relay.walTruncation.attemptsMade - before
        #expect(attempts >= 1 && attempts <= 3, "\(attempts) attempts for 10 deletions")
        #expect(await harness.relay.walTruncation.isPending)

        try await reader.release()
        #expect(await harness.relay.walTruncation.waitUntilClean(timeout: .seconds(20)))
        #expect(try FileScan.hits(in: FileScan.databaseFiles(harness.databasePath), needles: sealed).isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func aPurgeLeavesADurableMarkerUntilTheWALIsTruncated() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        _ = try await harness.relay.intake.ingest(harness.sms("+12025550700", "gone soon", sid: "SMm1"))
        harness.clock.advance(by: 3 * 3600)
        let policy = try RetentionPolicy.load(path: RepositoryFile.path("Policies/zero-retention.yaml"))
        let reader = try await SnapshotHolder(path: harness.databasePath)
        _ = try await harness.relay.retention.apply(policy: policy, asOf: harness.clock.now(), actor: "test")
        // Another process (the server) would find the marker: the purge's bytes may still be in the WAL.
        let markerName = "wal-truncation-owed"
        #expect(try await harness.store.read { try await $0.isMaintenanceDone(markerName) })
        #expect(try await !harness.relay.retention.settleOwedTruncation())
        try await reader.release()
        #expect(try await harness.relay.retention.settleOwedTruncation())
        #expect(try await !harness.store.read { try await $0.isMaintenanceDone(markerName) })
    }
}
