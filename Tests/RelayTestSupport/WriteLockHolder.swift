import Foundation
import GRDB

/// The database's write lock (`BEGIN IMMEDIATE`) held on a connection of its own, as another
/// process would, on a thread of its own, until ``release()`` (or 30 seconds).
public final class WriteLockHolder: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Opens the connection and returns once the lock is held.
    public init(path: String) async throws {
        let writer = try DatabaseQueue(path: path)
        let gate = self.gate
        let finished = self.finished
        try await withCheckedThrowingContinuation { (locked: CheckedContinuation<Void, any Error>) in
            Thread {
                do {
                    try writer.writeWithoutTransaction { db in
                        try db.execute(sql: "BEGIN IMMEDIATE")
                        locked.resume()
                        _ = gate.wait(timeout: .now() + 30)
                        try db.execute(sql: "ROLLBACK")
                    }
                    try writer.close()
                } catch {
                    locked.resume(throwing: error)
                }
                finished.signal()
            }.start()
        }
    }

    /// Releases the lock and waits (on a thread of its own) for the connection to close.
    public func release() async {
        gate.signal()
        let finished = self.finished
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                finished.wait()
                done.resume()
            }.start()
        }
    }
}
