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
final class GroupCommit: Sendable {
    /// Most requests one transaction carries, so one batch cannot hold a caller for long.
    static let maximumBatch = 256

    private struct Queue {
        var pending: [any QueuedWrite] = []
        var draining = false
    }

    private let pool: DatabasePool
    private let queue = Mutex(Queue())
    private let commits = Atomic<Int>(0)

    /// Transactions committed so far (each may carry many writes).
    var committedTransactions: Int { commits.load(ordering: .relaxed) }

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in a transaction shared with concurrent writers and returns its result once that
    /// transaction is committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let request = PendingWrite(body: body, continuation: continuation)
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
            do {
                try await pool.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        for request in batch {
                            // SQLite rolls a whole transaction back on some errors; a savepoint opened
                            // after that would start (and commit) a transaction of its own.
                            guard db.isInsideTransaction else { throw GroupCommitError.transactionAbandoned }
                            request.run(db)
                        }
                        return .commit
                    }
                }
                commits.add(1, ordering: .relaxed)
                for request in batch { request.finish(committed: nil) }
            } catch {
                for request in batch { request.finish(committed: error) }
            }
        }
    }
}

/// The batch's transaction ended without a commit.
enum GroupCommitError: Error {
    case transactionAbandoned
}

/// A write waiting for, or running in, a group commit.
private protocol QueuedWrite: Sendable {
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

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
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
