/// What one relay instance tells the others that share its store (PostgreSQL): a short payload
/// of ids, never content, or word that the listening connection came back after a gap.
public enum StoreBroadcast: Sendable, Equatable {
    /// A payload some instance (this one included) broadcast after its write committed.
    case payload(String)
    /// The listening connection was lost: broadcasts from now on may be missed until ``resumed``.
    case interrupted
    /// The listening connection is back: broadcasts made while it was away are gone (they are not
    /// replayed), so whoever listens reads what changed since ``interrupted`` instead.
    case resumed
}

extension RelayStore {
    /// A store only this process opens (SQLite, under the data folder's lock): no other instance.
    public var isShared: Bool { false }

    /// Nobody else to tell.
    public func broadcast(_ payload: String) async {}

    /// The only instance: always.
    public func holdsSchedulerLock() async -> Bool { true }

    /// No other instance: a stream that has already ended.
    public func broadcasts() -> AsyncStream<StoreBroadcast> {
        AsyncStream { $0.finish() }
    }
}
