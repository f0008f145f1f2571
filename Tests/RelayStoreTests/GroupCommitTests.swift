import Foundation
import RelayStore
import RelayTestSupport
import Synchronization
import Testing

/// Concurrent writes share a transaction, and each still succeeds or fails on its own.
struct GroupCommitTests {
    @Test func concurrentWritesShareCommitsAndAllLand() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteStore(path: dir.file("saferelay.sqlite"))
        defer { try? store.close() }
        let before = store.committedTransactions
        // The first write holds the writer for a moment, so the next 100 queue up behind it.
        async let slow: Void = store.write { writer in
            usleep(300_000)  // holds the writer's thread, as a long statement would
            try await writer.insert(Fixtures.contact(id: "slow"))
        }
        try await Task.sleep(for: .milliseconds(50))
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<100 {
                group.addTask {
                    try await store.write { writer in
                        try await writer.insert(Fixtures.contact(id: "c\(index)"))
                        return "c\(index)"
                    }
                }
            }
            var answered = Set<String>()
            for try await id in group { answered.insert(id) }
            #expect(answered.count == 100)
        }
        try await slow
        let commits = store.committedTransactions - before
        #expect(commits >= 2 && commits <= 4, "101 writes took \(commits) commits")
        for index in 0..<100 {
            #expect(try await store.read { try await $0.contact(id: "c\(index)") } != nil)
        }
    }

    @Test func aFailingWriteInABatchRollsBackAloneAndTheOthersCommit() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.sqlite")
        let store = try SQLiteStore(path: path)
        struct Refused: Error {}
        async let slow: Void = store.write { writer in
            usleep(300_000)  // holds the writer's thread, as a long statement would
            try await writer.insert(Fixtures.contact(id: "slow"))
        }
        try await Task.sleep(for: .milliseconds(50))
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<20 {
                group.addTask {
                    do {
                        try await store.write { writer in
                            try await writer.insert(Fixtures.contact(id: "c\(index)"))
                            if index % 5 == 0 { throw Refused() }
                            // A constraint violation is refused as well, and rolls back only this write.
                            if index % 5 == 1 { try await writer.insert(Fixtures.contact(id: "c\(index)")) }
                        }
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            var outcomes: [Int: Bool] = [:]
            for await (index, ok) in group { outcomes[index] = ok }
            return outcomes
        }
        try await slow
        try store.close()
        // What was acknowledged is on disk after reopening; what failed left nothing.
        let reopened = try SQLiteStore(path: path)
        defer { try? reopened.close() }
        for index in 0..<20 {
            let expected = index % 5 > 1
            #expect(outcomes[index] == expected)
            let stored = try await reopened.read { try await $0.contact(id: "c\(index)") }
            #expect((stored != nil) == expected, "c\(index)")
        }
        #expect(try await reopened.read { try await $0.contact(id: "slow") } != nil)
    }

    /// While another process holds the write lock, a write waits its own patience, not that of every
    /// batch queued ahead of it: the old drain waited a full patience per batch, so a write asked
    /// while an earlier one was already waiting failed only after both (here 5.5 s instead of 3; the
    /// bounds leave room for a busy machine's scheduling).
    /// Once the lock is free, a write still waiting goes through.
    @Test(.timeLimit(.minutes(1))) func aWriteWaitsForAnotherProcesssLockOnlyItsOwnPatience() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.sqlite")
        // Counts the writer's attempts to take the lock, so that the second write is asked only once
        // the first one's batch is waiting (a busy machine may start the drain late).
        let attempts = LockAttempts()
        let store = try SQLiteStore(
            path: path, statementObserver: { _, sql in if sql == "BEGIN IMMEDIATE" { attempts.count() } }, writeLockPatience: .seconds(3))
        defer { try? store.close() }
        let lock = try await WriteLockHolder(path: path)
        let clock = ContinuousClock()
        @Sendable func timedWrite(_ id: String) async -> (Duration, (any Error)?) {
            let start = clock.now
            do {
                try await store.write { try await $0.insert(Fixtures.contact(id: id)) }
                return (clock.now - start, nil)
            } catch {
                return (clock.now - start, error)
            }
        }
        async let first = timedWrite("first")
        for _ in 0..<200 where attempts.total == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try #require(attempts.total == 1)
        try await Task.sleep(for: .milliseconds(500))
        async let second = timedWrite("second")
        let (firstWait, firstError) = await first
        // The third is asked once the first gave up, while the second still waits; the lock is let
        // go when the second has given up too, well within the third's patience.
        async let third = timedWrite("third")
        let (secondWait, secondError) = await second
        await lock.release()
        let (thirdWait, thirdError) = await third
        for (wait, error) in [(firstWait, firstError), (secondWait, secondError)] {
            #expect(error as? StoreError == .busy)
            #expect(wait >= .milliseconds(2900) && wait < .milliseconds(4800), "\(wait)")
        }
        #expect(thirdError == nil, "\(String(describing: thirdError))")
        #expect(thirdWait >= .milliseconds(300), "\(thirdWait)")
        #expect(try await store.read { try await $0.contact(id: "first") } == nil)
        #expect(try await store.read { try await $0.contact(id: "third") } != nil)
    }
}

/// How many times the writer has asked for the write lock.
private final class LockAttempts: Sendable {
    private let attempts = Mutex(0)
    var total: Int { attempts.withLock { $0 } }
    func count() { attempts.withLock { $0 += 1 } }
}
