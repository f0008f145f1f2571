import Foundation
import RelayModel

/// Read access inside one consistent snapshot: every aggregate's reads (one protocol each, in
/// `Protocol/`), so that a backend implements them aggregate by aggregate.
public protocol StoreReader:
    ContactsReading, ThreadsReading, MessagesReading, OutboxReading, SessionsReading, AccountsReading, AuditReading, RetentionReading,
    KeysReading
{}

/// Write access inside one transaction: everything commits together or not at all.
public protocol StoreWriter:
    StoreReader, ContactsWriting, ThreadsWriting, MessagesWriting, OutboxWriting, SessionsWriting, AccountsWriting, AuditWriting,
    RetentionWriting, KeysWriting
{}

extension RelayStore {
    /// ``checkpointAndTruncate(patience:)`` waiting up to one second.
    public func checkpointAndTruncate() async throws {
        try await checkpointAndTruncate(patience: .seconds(1))
    }
}

/// The narrow storage protocol every backend implements (SQLite now, PostgreSQL later).
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
}
