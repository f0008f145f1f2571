import NIOCore
import PostgresNIO
import Synchronization

/// Waiting on PostgreSQL without being held by it. A query on a connection the server dropped
/// was seen never to return (postgres-nio), and a server that accepts a socket may never finish
/// the handshake: these run such work in a task of their own and answer the caller when the work
/// ends, when a time limit passes, or when the connection closes, whichever comes first. Work
/// that loses is cancelled but not waited for.
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
        let outcome = FirstResult<T>()
        let worker = Task {
            do {
                let value = try await work()
                if !outcome.settle(.success(value)) { await late(value) }
            } catch {
                outcome.settle(.failure(error))
            }
        }
        let timer = limit.map { limit in
            Task {
                try? await Task.sleep(for: limit)
                outcome.settle(.failure(DeadlineExceeded()))
            }
        }
        connection?.closeFuture.whenComplete { _ in outcome.settle(.failure(ConnectionClosed())) }
        defer {
            worker.cancel()
            timer?.cancel()
        }
        return try await withTaskCancellationHandler {
            try await outcome.value().get()
        } onCancel: {
            outcome.settle(.failure(CancellationError()))
        }
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
