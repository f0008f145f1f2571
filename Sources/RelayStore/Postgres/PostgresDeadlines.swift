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
    /// (never, if `nil`) or ``ConnectionClosed`` once `connection` has closed.
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
        return try await outcome.value().get()
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

/// The first of several results, handed to one waiter (later ones are dropped).
final class FirstResult<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiter: CheckedContinuation<Result<Value, any Error>, Never>?
    }
    private let state = Mutex(State())

    /// Settles the outcome; `false` if it was settled already (this result is dropped).
    @discardableResult
    func settle(_ result: Result<Value, any Error>) -> Bool {
        let (first, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Result<Value, any Error>, Never>?) in
            guard state.result == nil else { return (false, nil) }
            state.result = result
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume(returning: result)
        return first
    }

    func value() async -> Result<Value, any Error> {
        await withCheckedContinuation { continuation in
            let settled = state.withLock { state -> Result<Value, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let settled { continuation.resume(returning: settled) }
        }
    }
}
