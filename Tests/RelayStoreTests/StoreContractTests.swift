import Foundation
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// What every backend must do alike, run against each: SQLite and PostgreSQL (a fresh database in
/// the private cluster `scripts/test` starts).
@Suite(.timeLimit(.minutes(3)))
struct StoreContractTests {
    struct Leaf: Sendable {
        let seq: Int64
        let line: String?
    }

    @Test(arguments: TestStoreBackend.allCases)
    func aFailedTransactionChangesNothing(_ backend: TestStoreBackend) async throws {
        try await backend.withStore { (store: any RelayStore) async throws in
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await store.write { writer in
                    try await writer.insert(Fixtures.contact(id: "c1"))
                    throw Abort()
                }
            }
            #expect(try await store.read { try await $0.contact(id: "c1") } == nil)
        }
    }

    @Test(arguments: TestStoreBackend.allCases)
    func aDeliveryIndexIsStoredOnceAndMalformedRowsAreRefused(_ backend: TestStoreBackend) async throws {
        try await backend.withStore { (store: any RelayStore) async throws in
            let delivery = Data(repeating: 7, count: 32)
            try await store.write { writer in
                try await writer.insert(Fixtures.contact(id: "c1"))
                try await writer.insert(Fixtures.thread(id: "t1", contactID: "c1"))
                try await writer.insert(Fixtures.message(id: "m1", threadID: "t1", delivery: delivery))
            }
            await #expect(throws: (any Error).self) {
                try await store.write { try await $0.insert(Fixtures.message(id: "m2", threadID: "t1", delivery: delivery)) }
            }
            #expect(try await store.read { try await $0.messages(threadID: "t1").map(\.id) } == ["m1"])
            #expect(try await store.read { try await $0.message(deliveryIndex: Array(delivery))?.id } == "m1")
            var shortIndex = Fixtures.contact(id: "c2")
            shortIndex.addressIndex = Data([1, 2, 3])
            let malformed = shortIndex
            await #expect(throws: (any Error).self) { try await store.write { try await $0.insert(malformed) } }
            await #expect(throws: (any Error).self) {
                try await store.write { try await $0.insert(Fixtures.message(id: "m3", threadID: "missing", delivery: nil)) }
            }
            // A thread cannot be erased and keep its key, nor keep content without one.
            var keyless = Fixtures.thread(id: "t9", contactID: "c1")
            keyless.key = nil
            let open = keyless
            await #expect(throws: (any Error).self) { try await store.write { try await $0.insert(open) } }
        }
    }

    @Test(arguments: TestStoreBackend.allCases)
    func erasingAThreadDeletesItsMessagesAndKey(_ backend: TestStoreBackend) async throws {
        try await backend.withStore { (store: any RelayStore) async throws in
            try await store.write { writer in
                try await writer.insert(Fixtures.contact(id: "c1"))
                try await writer.insert(Fixtures.thread(id: "t1", contactID: "c1"))
                for index in 0..<20 {
                    try await writer.insert(Fixtures.message(id: "m\(index)", threadID: "t1", delivery: nil))
                }
                try await writer.insert(Fixtures.thread(id: "t2", contactID: "c1"))
                try await writer.insert(Fixtures.message(id: "keep", threadID: "t2", delivery: nil))
            }
            #expect(try await store.write { try await $0.eraseThread(id: "t1", at: 99) } == 20)
            #expect(try await store.write { try await $0.eraseThread(id: "nope", at: 99) } == nil)
            try await store.checkpointAndTruncate()
            let erased = try #require(try await store.read { try await $0.thread(id: "t1") })
            #expect(erased.state == .erased && erased.key == nil && erased.erasedAt == 99)
            #expect(try await store.read { try await $0.messages(threadID: "t1") }.isEmpty)
            #expect(try await store.read { try await $0.messages(threadID: "t2").map(\.id) } == ["keep"])
        }
    }

    @Test(arguments: TestStoreBackend.allCases)
    func keysCanBeListedAndReplacedForRotation(_ backend: TestStoreBackend) async throws {
        try await backend.withStore { (store: any RelayStore) async throws in
            try await store.write { writer in
                try await writer.insert(Fixtures.contact(id: "c1"))
                try await writer.insert(Fixtures.thread(id: "t1", contactID: "c1"))
            }
            #expect(try await store.read { try await $0.wrappedKeyCounts() } == [1: 2])
            let pending = try await store.read { try await $0.keys(notWrappedUnder: 2, limit: 10) }
            #expect(Set(pending.map(\.owner)) == [.thread("t1"), .contact("c1")])
            let replaced = try await store.write { writer in
                var replaced: [Bool] = []
                for key in pending {
                    replaced.append(try await writer.replaceKey(
                        of: key.owner, with: StoredKey(kekVersion: 2, keyVersion: 1, sealed: Data([9])), expectedKEKVersion: 1))
                }
                return replaced
            }
            #expect(replaced == [true, true])
            #expect(try await store.read { try await $0.wrappedKeyCounts() } == [2: 2])
            #expect(try await store.read { try await $0.keys(notWrappedUnder: 2, limit: 10) }.isEmpty)
        }
    }

    @Test(arguments: TestStoreBackend.allCases)
    func theQueueOutboxAndSessionsReadBackAlike(_ backend: TestStoreBackend) async throws {
        try await backend.withStore { (store: any RelayStore) async throws in
            try await store.write { writer in
                try await writer.insert(Fixtures.contact(id: "c1"))
                var first = Fixtures.thread(id: "t1", contactID: "c1")
                first.lastInboundAt = 10
                try await writer.insert(first)
                try await writer.insert(Fixtures.contact(id: "c2"))
                var second = Fixtures.thread(id: "t2", contactID: "c2")
                second.lastInboundAt = 5
                try await writer.insert(second)
                try await writer.raisePriority(threadID: "t1", to: 2)
                try await writer.raisePriority(threadID: "t1", to: 1)
                try await writer.touchThread(id: "t2", at: 20, inbound: true)
                try await writer.insert(MessageRecord(id: "out1", threadID: "t1", direction: .outbound, sealedBody: Data([1]), deliveryIndex: nil, createdAt: 11))
                try await writer.insert(OutboxRecord(id: "o1", messageID: "out1", threadID: "t1", state: .queued, nextAttemptAt: 11, createdAt: 11, updatedAt: 11))
                try await writer.insert(WebchatSessionRecord(tokenIndex: Data(repeating: 3, count: 32), contactID: "c2", createdAt: 1, lastSeenAt: 15))
            }
            try await store.read { (reader: any StoreReader) async throws -> Void in
                #expect(try await reader.openThreads(limit: 10).map(\.id) == ["t1", "t2"])
                #expect(try await reader.thread(id: "t1")?.priority == 2)
                #expect(try await reader.thread(id: "t2")?.lastInboundAt == 20)
                let page = try await reader.queuePage(after: QueueCursor(priority: 2, waitingSince: 10, threadID: "t1"), limit: 10)
                #expect(page.map(\.id) == ["t2"])
                #expect(try await reader.queueGauges() == QueueGauges(open: 2, waiting: 2, oldestWaitingOpenedAt: 1))
                #expect(try await reader.openThreadCounts() == [.sms: 2])
                #expect(try await reader.dueOutbox(at: 11, limit: 10).map(\.id) == ["o1"])
                #expect(try await reader.dueOutbox(at: 10, limit: 10).isEmpty)
                #expect(try await reader.outboxStates(messageIDs: ["out1", "none"]) == ["out1": .queued])
                #expect(try await reader.hasWebchatSession(contactID: "c2", seenSince: 15))
                #expect(try await !reader.hasWebchatSession(contactID: "c2", seenSince: 16))
            }
            #expect(try await store.write { try await $0.markInFlightOutboxUnknown(claimedBefore: .max, at: 30) } == 0)
            #expect(try await store.write { try await $0.failQueuedOutbox(contactID: "c1", code: "do_not_contact", at: 31) } == 1)
            #expect(try await store.read { try await $0.outbox(messageID: "out1")?.state } == .failed)
            #expect(try await store.write { try await $0.deleteExpiredSessions(webchatSeenBefore: 16, staffSeenBefore: 0, staffCreatedBefore: 0) } == 1)
        }
    }

    @Test(arguments: TestStoreBackend.allCases)
    func theAuditLogAndRetentionBatchesWorkAlike(_ backend: TestStoreBackend) async throws {
        try await backend.withStore { (store: any RelayStore) async throws in
            try await store.write { writer in
                for seq in Int64(0)..<3 {
                    try await writer.appendAudit(AuditRow(seq: seq, line: "{\"n\":\(seq)}", leafHash: Data(repeating: UInt8(seq), count: 32), createdAt: seq * 10))
                }
                try await writer.insert(Fixtures.contact(id: "c1"))
                try await writer.insert(Fixtures.thread(id: "t1", contactID: "c1"))
                try await writer.insert(Fixtures.message(id: "m1", threadID: "t1", delivery: nil))
                try await writer.insert(Fixtures.contact(id: "c2"))
                try await writer.insert(Fixtures.thread(id: "held", contactID: "c2"))
                try await writer.insert(HoldRecord(threadID: "held", reason: "case 17", createdBy: "cora", createdAt: 1))
            }
            // The same position twice is refused: the log has no gaps and no forks.
            await #expect(throws: (any Error).self) {
                try await store.write { try await $0.appendAudit(AuditRow(seq: 2, line: "x", leafHash: Data(repeating: 9, count: 32), createdAt: 40)) }
            }
            var leaves: [Leaf] = []
            try await store.read { (reader: any StoreReader) async throws -> Void in
                #expect(try await reader.auditSize() == 3)
                #expect(try await reader.audit(since: 10, until: 30, afterSeq: -1, limit: 10).map(\.seq) == [1, 2])
            }
            leaves = try await store.read { (reader: any StoreReader) async throws -> [Leaf] in
                var seen: [Leaf] = []
                try await reader.forEachAuditLeaf(from: 1) { seq, line, hash in
                    #expect(hash.count == 32)
                    seen.append(Leaf(seq: seq, line: line.map { String(decoding: $0, as: UTF8.self) }))
                }
                return seen
            }
            #expect(leaves.map(\.seq) == [1, 2] && leaves.map(\.line) == ["{\"n\":1}", "{\"n\":2}"])
            #expect(try await store.write { try await $0.pruneAuditLines(before: 15) } == 2)
            let result = try await store.write { writer in
                try await writer.applyRetentionBatch(
                    close: [PlannedClose(threadID: "t1", lastActivityAt: 1), PlannedClose(threadID: "held", lastActivityAt: 1)],
                    purge: ["t1", "held"], deleteMetadata: [], at: 50)
            }
            #expect(result.closed == 1 && result.purgedThreads == 1 && result.purgedMessages == 1)
            #expect(try await store.read { try await $0.thread(id: "held")?.state } == .open)
            #expect(try await store.write { try await $0.deleteContactsWithoutContent(ofThreads: ["t1"], keepDoNotContact: true, at: 60) } == 1)
            #expect(try await store.read { try await $0.contact(id: "c1") } == nil)
            #expect(try await store.read { try await $0.contact(id: "c2") } != nil)
            let summaries = try await store.read { try await $0.threadSummaries(after: 0, limit: 10) }
            #expect(summaries.summaries.map(\.thread.id) == ["t1", "held"] && summaries.summaries.map(\.held) == [false, true])
        }
    }
}
