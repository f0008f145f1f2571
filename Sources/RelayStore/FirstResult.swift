import Synchronization

/// The first of several results, handed to one waiter (later ones are dropped): what lets a
/// caller be answered by whichever of its work, a time limit or a closed connection comes first,
/// without waiting for the others.
public final class FirstResult<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiter: CheckedContinuation<Result<Value, any Error>, Never>?
    }
    private let state = Mutex(State())

    /// An outcome not yet settled.
    public init() {}

    /// Settles the outcome; `false` if it was settled already (this result is dropped).
    @discardableResult
    public func settle(_ result: Result<Value, any Error>) -> Bool {
        let (first, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Result<Value, any Error>, Never>?) in
            guard state.result == nil else { return (false, nil) }
            state.result = result
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume(returning: result)
        return first
    }

    /// Waits for the outcome (the first result settled).
    public func value() async -> Result<Value, any Error> {
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

extension FirstResult {
    /// Runs `work` in a task of its own and returns its result, or throws `timeout` once `limit`
    /// has passed (never, if `nil`), `CancellationError` once the caller is cancelled, or what
    /// `alsoSettledBy` settles the outcome with first (a closed connection). The work that loses is
    /// cancelled but not waited for: a query on a connection the server dropped may never return,
    /// and must not hold its caller.
    /// - Parameter late: Called with a result that came after the caller was answered (a
    ///   connection opened too late, to close).
    public static func race(
        within limit: Duration?, timeout: any Error, late: @escaping @Sendable (Value) async -> Void = { _ in },
        alsoSettledBy: (FirstResult<Value>) -> Void = { _ in },
        _ work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let outcome = FirstResult<Value>()
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
                outcome.settle(.failure(timeout))
            }
        }
        alsoSettledBy(outcome)
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
}
