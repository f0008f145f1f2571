import Foundation
import GRDB

/// A read transaction on its own SQLite connection (an old snapshot that blocks a WAL truncation),
/// held on a Dispatch thread outside the cooperative pool until ``release()`` (or 30 seconds).
public final class SnapshotHolder: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let task: Task<Void, any Error>

    /// Opens the connection and returns once its snapshot is held.
    public init(path: String) async throws {
        let reader = try DatabaseQueue(path: path)
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        let gate = self.gate
        task = Task.detached {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                DispatchQueue.global().async {
                    done.resume(with: Result {
                        try reader.read { db in
                            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM message")
                            signal.yield()
                            _ = gate.wait(timeout: .now() + 30)
                        }
                        try reader.close()
                    })
                }
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
    }

    /// Ends the read transaction and waits for its connection to close.
    public func release() async throws {
        gate.signal()
        try await task.value
    }
}
