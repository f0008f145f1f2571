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
    /// batch queued ahead of it. The old drain gave each batch the full patience, so a write asked
    /// while an earlier batch was waiting waited that batch's patience and then its own. Seen in
    /// what the writer tells SQLite (`PRAGMA busy_timeout`): the second write's batch may wait no
    /// longer than was left of the second's patience — never more than the gap between the two asks —
    /// which holds however slowly a busy machine schedules the test.
    @Test(.timeLimit(.minutes(1))) func aWriteWaitsForAnotherProcesssLockOnlyItsOwnPatience() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.sqlite")
        // The writer's attempts to take the lock and the busy timeout it gave each.
        let seen = LockAttempts()
        let store = try SQLiteStore(path: path, statementObserver: { _, sql in seen.observe(sql) }, writeLockPatience: .seconds(3))
        defer { try? store.close() }
        let lock = try await WriteLockHolder(path: path)
        let clock = ContinuousClock()
        @Sendable func timedWrite(_ id: String) async -> (ContinuousClock.Instant, Duration, (any Error)?) {
            let start = clock.now
            do {
                try await store.write { try await $0.insert(Fixtures.contact(id: id)) }
                return (start, clock.now - start, nil)
            } catch {
                return (start, clock.now - start, error)
            }
        }
        async let first = timedWrite("first")
        // The second is asked once the first one's batch is waiting for the lock.
        for _ in 0..<500 where seen.attempts == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try #require(seen.attempts == 1)
        try await Task.sleep(for: .milliseconds(500))
        async let second = timedWrite("second")
        let (firstStart, firstWait, firstError) = await first
        let (secondStart, secondWait, secondError) = await second
        // The lock is held until both have given up: both must have.
        await lock.release()
        for (wait, error) in [(firstWait, firstError), (secondWait, secondError)] {
            #expect(error as? StoreError == .busy)
            #expect(wait >= .milliseconds(2900), "\(wait)")
        }
        let timeouts = seen.timeouts.filter { $0 != 10_000 }  // the writer's ordinary timeout, restored after each batch
        try #require(timeouts.count >= 2, "\(timeouts)")
        let gap = secondStart - firstStart
        #expect(timeouts[0] > 0 && timeouts[0] <= 3_000, "the first batch waits at most the first write's patience: \(timeouts)")
        #expect(
            Duration.milliseconds(timeouts[1]) <= gap + .milliseconds(50),
            "the second write's batch waited \(timeouts[1]) ms, more than was left of its patience (asked \(gap) after the first)")
        // Once the lock is free, a write goes through.
        try await store.write { try await $0.insert(Fixtures.contact(id: "after")) }
        #expect(try await store.read { try await $0.contact(id: "first") } == nil)
        #expect(try await store.read { try await $0.contact(id: "after") } != nil)
    }
}

/// The writer's attempts to take the write lock, and each busy timeout it set (milliseconds).
private final class LockAttempts: Sendable {
    private let state = Mutex((attempts: 0, timeouts: [Int]()))
    var attempts: Int { state.withLock { $0.attempts } }
    var timeouts: [Int] { state.withLock { $0.timeouts } }

    func observe(_ sql: String) {
        if sql == "BEGIN IMMEDIATE" { state.withLock { $0.attempts += 1 } }
        if sql.hasPrefix("PRAGMA busy_timeout = "), let value = Int(sql.dropFirst("PRAGMA busy_timeout = ".count)) {
            state.withLock { $0.timeouts.append(value) }
        }
    }
}
