import NIOCore
import PostgresNIO
import Synchronization

/// Waiting on PostgreSQL without being held by it. A query on a connection the server dropped
/// was seen never to return (postgres-nio), and a server that accepts a socket may never finish
/// the handshake: these answer the caller when the work ends, when a time limit passes, or when
/// the connection closes, whichever comes first (``FirstResult/race(within:timeout:late:alsoSettledBy:_:)``).
extension PostgresStore {
    /// The time limit passed first.
    struct DeadlineExceeded: Error {}

    /// The connection closed under the work.
    struct ConnectionClosed: Error {}

    /// Runs `work` and returns its result, or throws ``DeadlineExceeded`` once `limit` has passed
    /// (never, if `nil`), ``ConnectionClosed`` once `connection` has closed (each call adds a close
    /// callback that lives as long as the connection: pass `connection` once per connection, not
    /// per query), or `CancellationError` once the caller is cancelled.
    /// - Parameter late: Called with a result that came after the caller was answered (a
    ///   connection opened too late, to close).
    static func withDeadline<T: Sendable>(
        _ limit: Duration?, closing connection: PostgresConnection? = nil,
        late: @escaping @Sendable (T) async -> Void = { _ in },
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await FirstResult.race(within: limit, timeout: DeadlineExceeded(), late: late, alsoSettledBy: { outcome in
            connection?.closeFuture.whenComplete { _ in outcome.settle(.failure(ConnectionClosed())) }
        }, work)
    }

    /// Opens one connection, or throws ``DeadlineExceeded`` after `limit`; a connection that
    /// arrives after that is closed.
    static func connect(
        _ configuration: PostgresConnection.Configuration, id: Int, logger: Logger, within limit: Duration = .seconds(10)
    ) async throws -> PostgresConnection {
        try await withDeadline(limit, late: { connection in try? await connection.close() }) {
            try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        }
    }
}
