import Foundation
import GRDB
import Synchronization

/// Group commit: write requests that arrive while a transaction is being committed wait, and the
/// next transaction runs all of them, each inside its own savepoint, and commits once — one fsync
/// for many acknowledged writes. With `synchronous=FULL` the fsync, not the SQL, bounds how many
/// durable transactions a second the disk takes; sharing it lifts that bound without weakening it:
/// no caller hears back before the commit that holds its write is on disk.
///
/// A request that throws rolls back only its own savepoint; the others in the batch commit. If the
/// commit itself fails, or SQLite abandons the transaction part-way (a full disk, an I/O error),
/// every request in the batch fails and nothing of theirs is kept. Under light load a batch holds
/// one request, so latency is that of a plain transaction.
///
/// While another process holds the database's write lock, each request waits for it at most
/// `lockPatience`, counted from when it was asked — not once per batch queued ahead of it, which
/// would let a queue of waiting writes hold its last caller for many times the patience. A batch
/// waits as long as its most patient-worn request may; when the lock does not come, the requests
/// whose patience is spent fail with SQLite's busy error and the others go back to the front of the
/// queue with the time they have left.
final class GroupCommit: Sendable {
    /// Most requests one transaction carries, so one batch cannot hold a caller for long.
    static let maximumBatch = 256

    private struct Queue {
        var pending: [any QueuedWrite] = []
        var draining = false
    }

    private let pool: DatabasePool
    private let lockPatience: Duration
    /// The busy timeout the writer connection goes back to after a batch.
    private let ordinaryBusyTimeoutMilliseconds: Int
    private let queue = Mutex(Queue())
    private let commits = Atomic<Int>(0)

    /// Transactions committed so far (each may carry many writes).
    var committedTransactions: Int { commits.load(ordering: .relaxed) }

    /// - Parameters:
    ///   - pool: the database; its writer connection runs every batch.
    ///   - lockPatience: how long one request may wait for another process's write lock.
    ///   - ordinaryBusyTimeoutMilliseconds: the writer's busy timeout outside a batch.
    init(pool: DatabasePool, lockPatience: Duration, ordinaryBusyTimeoutMilliseconds: Int) {
        self.pool = pool
        self.lockPatience = lockPatience
        self.ordinaryBusyTimeoutMilliseconds = ordinaryBusyTimeoutMilliseconds
    }

    /// Runs `body` in a transaction shared with concurrent writers and returns its result once that
    /// transaction is committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let request = PendingWrite(body: body, continuation: continuation, deadline: .now + lockPatience)
            let startDrain = queue.withLock { queue -> Bool in
                queue.pending.append(request)
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startDrain {
                Task.detached { await self.drain() }
            }
        }
    }

    /// Runs batches until no request is waiting.
    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [any QueuedWrite] in
                let batch = Array(queue.pending.prefix(Self.maximumBatch))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let earliest = batch.map(\.deadline).min()!
            do {
                try await pool.writeWithoutTransaction { db in
                    // The batch waits for the lock no longer than its earliest deadline, reckoned once
                    // it holds the writer (a truncation may have held it meanwhile); a little at
                    // least, so that a request whose patience went on queueing behind our own long
                    // write can still take a free lock.
                    let wait = max(earliest - .now, .milliseconds(10))
                    try db.execute(sql: "PRAGMA busy_timeout = \(Self.milliseconds(wait))")
                    defer { try? db.execute(sql: "PRAGMA busy_timeout = \(self.ordinaryBusyTimeoutMilliseconds)") }
                    do {
                        try db.execute(sql: "BEGIN IMMEDIATE")
                    } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                        throw GroupCommitError.lockNotTaken(error)
                    }
                    do {
                        for request in batch {
                            // SQLite rolls a whole transaction back on some errors; a savepoint opened
                            // after that would start (and commit) a transaction of its own.
                            guard db.isInsideTransaction else { throw GroupCommitError.transactionAbandoned }
                            request.run(db)
                        }
                        try db.execute(sql: "COMMIT")
                    } catch {
                        if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
                        throw error
                    }
                }
                commits.add(1, ordering: .relaxed)
                for request in batch { request.finish(committed: nil) }
            } catch GroupCommitError.lockNotTaken(let error) {
                // The lock never came: nothing ran. Those out of patience hear so; the rest wait on.
                let now = ContinuousClock.now + .milliseconds(10)
                for request in batch where request.deadline <= now { request.finish(committed: error) }
                let waiting = batch.filter { $0.deadline > now }
                queue.withLock { $0.pending.insert(contentsOf: waiting, at: 0) }
            } catch {
                for request in batch { request.finish(committed: error) }
            }
        }
    }

    /// A duration in whole milliseconds, for `PRAGMA busy_timeout`.
    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// The batch's transaction ended without a commit.
enum GroupCommitError: Error {
    case transactionAbandoned
    /// Another connection held the write lock past the batch's patience (SQLite's busy error).
    case lockNotTaken(DatabaseError)
}

/// A write waiting for, or running in, a group commit.
private protocol QueuedWrite: Sendable {
    /// When the caller's patience for another process's write lock runs out.
    var deadline: ContinuousClock.Instant { get }
    /// Runs the body inside its own savepoint of the batch's transaction (on the writer connection).
    func run(_ db: Database)
    /// Answers the caller: the body's result if the batch committed, else the commit's error.
    func finish(committed error: (any Error)?)
}

/// One caller's write and the continuation that answers it. `run` and `finish` are called once each,
/// in that order, by the single draining task, so the stored outcome needs no lock.
private final class PendingWrite<T: Sendable>: QueuedWrite, @unchecked Sendable {
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    private var outcome: Result<T, any Error> = .failure(GroupCommitError.transactionAbandoned)
    let deadline: ContinuousClock.Instant

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>, deadline: ContinuousClock.Instant) {
        self.body = body
        self.continuation = continuation
        self.deadline = deadline
    }

    func run(_ db: Database) {
        do {
            var value: T?
            try db.inSavepoint {
                value = try body(db)
                return .commit
            }
            if let value { outcome = .success(value) }
        } catch {
            outcome = .failure(error)
        }
    }

    func finish(committed error: (any Error)?) {
        if let error {
            continuation.resume(throwing: error)
        } else {
            continuation.resume(with: outcome)
        }
    }
}
