import NIOCore
import PostgresNIO
import Synchronization

/// Fails the transaction under way on a pooled connection when the server drops that connection
/// (a query under way on it was seen never to return), with one close callback per connection
/// however many transactions it carries.
final class ConnectionWatch: Sendable {
    private let underWay = Mutex<[Int: (@Sendable () -> Void)?]>([:])

    /// How long after a close the transaction under way is failed: a body whose last answer (its
    /// `COMMIT`'s) came in the same read as the close finishes first, and is not reported failed.
    static let grace: TimeAmount = .milliseconds(250)

    /// Runs `body` on `connection`; if the connection closes before `body` ends, `onClose` is
    /// called ``grace`` later unless `body` ended meanwhile (`body` is left to end as it may).
    func during<T>(
        _ connection: PostgresConnection, onClose: @escaping @Sendable () -> Void, _ body: () async throws -> T
    ) async throws -> T {
        let id = connection.id
        let isNew = underWay.withLock { underWay -> Bool in
            let isNew = underWay[id] == nil
            underWay[id] = .some(onClose)
            return isNew
        }
        if isNew {
            connection.closeFuture.whenComplete { [weak self] _ in
                connection.eventLoop.scheduleTask(in: Self.grace) {
                    let current = self?.underWay.withLock { $0.removeValue(forKey: id) }
                    current??()
                }
            }
        }
        defer {
            underWay.withLock { underWay in
                if underWay[id] != nil { underWay[id] = .some(nil) }
            }
        }
        return try await body()
    }
}
