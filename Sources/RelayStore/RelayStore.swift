import Foundation
import RelayModel

/// Read access inside one consistent snapshot: every aggregate's reads (one protocol each, in
/// `Protocol/`), so that a backend implements them aggregate by aggregate.
public protocol StoreReader:
    ContactsReading, ThreadsReading, MessagesReading, OutboxReading, SessionsReading, AccountsReading, AuditReading, RetentionReading,
    KeysReading, TrendsReading
{}

/// Write access inside one transaction: everything commits together or not at all.
public protocol StoreWriter:
    StoreReader, ContactsWriting, ThreadsWriting, MessagesWriting, OutboxWriting, SessionsWriting, AccountsWriting, AuditWriting,
    RetentionWriting, KeysWriting, TrendsWriting
{}

extension RelayStore {
    /// ``checkpointAndTruncate(patience:)`` waiting up to one second.
    public func checkpointAndTruncate() async throws {
        try await checkpointAndTruncate(patience: .seconds(1))
    }
}

/// The narrow storage protocol every backend implements (SQLite and PostgreSQL).
/// It stores ciphertext and keyed hashes only; it never sees a key.
public protocol RelayStore: Sendable {
    /// Runs `body` in a read-only snapshot.
    ///
    /// The body touches the store only: it may run on the connection's own thread, which waits
    /// while the body awaits anything else (an actor, a sleep, another transaction would deadlock).
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T
    /// Runs `body` in one durable write transaction (committed with fsync before this returns).
    /// The body touches the store only, as for ``read(_:)``.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) async throws -> T) async throws -> T
    /// Moves every WAL frame into the database file and truncates the WAL to zero bytes, so that
    /// erased pages live nowhere but in their overwritten form. Waits at most `patience` for readers
    /// on an older snapshot (writers wait meanwhile), then throws `StoreError.checkpointIncomplete`.
    func checkpointAndTruncate(patience: Duration) async throws
    /// Whether a write could start now: takes and at once releases the write lock, waiting at most
    /// `patience` for it. Writes nothing. For `/healthz`.
    func canTakeWrites(patience: Duration) async -> Bool
    /// Closes the store; later calls fail.
    func close() throws
    /// Whether other relay instances may open this store at the same time (PostgreSQL). Work another
    /// instance has under way (an SMS being sent) is then not a crash's leftover.
    var isShared: Bool { get }
    /// Tells every instance on the store, this one included, a short payload of ids (never content),
    /// best effort: a listener that was away reads what changed instead.
    func broadcast(_ payload: String) async
    /// What the instances broadcast, for as long as the caller listens (one listening connection per
    /// call, which reconnects by itself); nothing for a store no other instance shares.
    func broadcasts() -> AsyncStream<StoreBroadcast>
    /// Whether this instance is the one that runs scheduled work (retention, audit checkpoints) now:
    /// on a shared store, one instance at a time holds the scheduler lock, for as long as its
    /// connection lives; when that instance dies, the next instance to ask takes it over.
    func holdsSchedulerLock() async -> Bool
}
