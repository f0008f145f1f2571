import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode, `synchronous=FULL` (a commit is on disk
/// before it returns), `secure_delete=ON` (deleted bytes are overwritten), foreign keys on.
/// Concurrent writes share a transaction and its fsync (``GroupCommit``); each still returns only
/// once it is on disk, and one that fails rolls back alone.
///
/// ```swift
/// let store = try SQLiteStore(path: "data/saferelay.sqlite")
/// let thread = try await store.read { try $0.thread(id: id) }
/// ```
public final class SQLiteStore: RelayStore {
    /// The database file.
    public let path: String
    private let pool: DatabasePool
    /// Every `write` goes through group commit: concurrent writers share one fsync.
    private let groupCommit: GroupCommit

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    /// - Parameters:
    ///   - path: the database file.
    ///   - statementObserver: called with the connection's name and each statement's SQL text as
    ///     SQLite starts it (placeholders, never the arguments): for tests that check the order of
    ///     operations across connections, e.g. that a view's audit event commits before its
    ///     ciphertext is read. `nil` in production.
    ///   - writeLockPatience: how long a write waits while another process (a backup, an operator's
    ///     `sqlite3`) holds the database's write lock before it fails as ``StoreError/busy``,
    ///     counted from when it was asked however many writes wait with it.
    public init(
        path: String, statementObserver: (@Sendable (_ connection: String, _ sql: String) -> Void)? = nil,
        writeLockPatience: Duration = .seconds(10)
    ) throws {
        self.path = path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(TimeInterval(Self.busyTimeoutMilliseconds) / 1000)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            if let statementObserver {
                let connection = db.description
                db.trace(options: .statement) { event in
                    if case .statement(let statement) = event { statementObserver(connection, statement.sql) }
                }
            }
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in
                // GRDB chooses NORMAL for WAL; an acknowledged message must survive a power cut.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // A larger page cache for the one writer: bulk purges rewrite many index pages.
                try db.execute(sql: "PRAGMA cache_size = -32768")
            }
            try SQLiteMigrations.migrator.migrate(pool)
            groupCommit = GroupCommit(
                pool: pool, lockPatience: writeLockPatience, ordinaryBusyTimeoutMilliseconds: Self.busyTimeoutMilliseconds)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? "SQLite error \(error.resultCode.rawValue)")
        } catch let error as CocoaError {
            throw StoreError.cannotOpen(path: path, reason: "cannot create its directory (\(error.code.rawValue))")
        }
        // Database files are as private as the keyring.
        for suffix in ["", "-wal", "-shm"] {
            chmod(path + suffix, 0o600)
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T {
        do {
            return try await pool.read { db in
                let access = SQLiteAccess(db: db)
                return try ConnectionPump.run { try await body(access) }
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error)
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) async throws -> T) async throws -> T {
        do {
            return try await groupCommit.write { db in
                let access = SQLiteAccess(db: db)
                return try ConnectionPump.run { try await body(access) }
            }
        } catch let error as DatabaseError {
            throw Self.storeError(error)
        }
    }

    /// SQLite errors as store errors: a result code, never the SQL or its arguments.
    static func storeError(_ error: DatabaseError) -> StoreError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: .busy
        default: .failed(code: error.extendedResultCode.rawValue)
        }
    }

    /// Write transactions committed since the store was opened; with group commit, fewer than the
    /// writes acknowledged when writers overlap.
    public var committedTransactions: Int { groupCommit.committedTransactions }

    /// The writer's ordinary busy timeout (see `init`), restored after a truncation attempt.
    static let busyTimeoutMilliseconds = 10_000

    /// The attempt holds the one writer connection while it waits for readers, so every write waits
    /// with it: keep `patience` short and retry instead.
    public func checkpointAndTruncate(patience: Duration) async throws {
        let milliseconds = max(0, min(Int(patience.components.seconds * 1000 + patience.components.attoseconds / 1_000_000_000_000_000), Self.busyTimeoutMilliseconds))
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA busy_timeout = \(milliseconds)")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)") }
            let result: (walFrameCount: Int, checkpointedFrameCount: Int)
            do {
                result = try db.checkpoint(.truncate)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                throw StoreError.checkpointIncomplete
            }
            guard result.walFrameCount == 0 || result.walFrameCount == result.checkpointedFrameCount else {
                throw StoreError.checkpointIncomplete
            }
            // TRUNCATE leaves a zero-byte WAL only when every frame was moved; check the file itself.
            let attributes = try? FileManager.default.attributesOfItem(atPath: self.path + "-wal")
            if let size = attributes?[.size] as? Int, size > 0 { throw StoreError.checkpointIncomplete }
        }
    }

    /// Probes on a connection of its own (not the writer, whose queue a long purge may hold), so
    /// that the answer comes within `patience`.
    public func canTakeWrites(patience: Duration) async -> Bool {
        let milliseconds = Int(patience.components.seconds * 1000 + patience.components.attoseconds / 1_000_000_000_000_000)
        let path = self.path
        return await withCheckedContinuation { continuation in
            // A thread of its own: the probe may block for `patience`, and Dispatch's pool (which
            // the store's own queues use) is small on Linux.
            Thread {
                var configuration = Configuration()
                configuration.busyMode = .timeout(TimeInterval(max(0, milliseconds)) / 1000)
                configuration.label = "saferelay.health"
                let writable: Bool
                do {
                    let probe = try DatabaseQueue(path: path, configuration: configuration)
                    try probe.writeWithoutTransaction { db in
                        try db.execute(sql: "BEGIN IMMEDIATE")
                        try db.execute(sql: "ROLLBACK")
                    }
                    try probe.close()
                    writable = true
                } catch {
                    writable = false
                }
                continuation.resume(returning: writable)
            }.start()
        }
    }

    public func close() throws {
        try pool.close()
    }

    /// Reads a pragma on the writer connection (for tests and `status`).
    public func pragma(_ name: String) throws -> String? {
        precondition(name.allSatisfy { $0.isLetter || $0 == "_" }, "pragma names are plain words")
        return try pool.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA \(name)")
        }
    }
}
