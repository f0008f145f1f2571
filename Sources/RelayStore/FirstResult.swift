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
