import Foundation
import PostgresNIO
import Synchronization

/// The store a hotline moves to when one machine is no longer enough: PostgreSQL, through
/// postgres-nio's pooled client, with the same rows and rules as ``SQLiteStore`` (ciphertext and
/// keyed hashes only).
///
/// - A write is one transaction that first takes the store's writer lock (a transaction-scoped
///   advisory lock), so writes from every instance on the database are serial, as SQLite's one
///   writer is: the audit log stays one gap-free sequence and every read-check-write use case
///   keeps its meaning. It returns once `COMMIT` has returned, that is once the commit is durable
///   (`synchronous_commit` on, the server's default).
/// - A read is one `REPEATABLE READ, READ ONLY` snapshot.
/// - Errors are ``StoreError``s: `busy` when the writer lock was not free within the lock timeout,
///   `unavailable` when the server cannot be reached, `refused` with the SQLSTATE otherwise; never
///   a value, a statement or the password.
public final class PostgresStore: RelayStore {
    /// The writer lock's key (an advisory lock id; "SAFERELY").
    static let writerLock: Int64 = 0x5341_4645_5245_4C59
    /// The migrations' lock key.
    static let migrationLock: Int64 = writerLock + 1
    /// The scheduler's lock key (a session-level advisory lock on a connection of its own).
    public static let schedulerLock: Int64 = writerLock + 2

    /// The channel instances broadcast on.
    static let broadcastChannel = "saferelay_events"

    /// The database, without its password.
    public let redactedURL: String
    /// How long a transaction waits for a connection from the pool before it fails (`unavailable`
    /// when the server is gone, `busy` when every connection is in use).
    public let connectionPatience: Duration
    private let client: PostgresClient
    /// The configuration of the connections outside the pool (the listener, the scheduler lock,
    /// the probe, the notifier).
    let listenerConfiguration: PostgresConnection.Configuration
    private let scheduler: PostgresSessionLock
    private let probe: PostgresSideConnection
    private let notifier: PostgresSideConnection
    private let runner: Task<Void, Never>
    private let watch = ConnectionWatch()
    private let logger: Logger

    /// Connects to `url`, checks that the database answers and lets this account create tables,
    /// and applies pending migrations. Throws ``StoreError/cannotOpen(path:reason:)`` with the
    /// redacted address and a reason (unreachable, authentication failed, no such database, not
    /// allowed) otherwise.
    /// - Parameters:
    ///   - url: `postgres://user:password@host:port/database` (see ``PostgresDatabaseURL``).
    ///   - maximumConnections: the pool's size.
    ///   - writeLockPatience: how long a write waits for the writer lock before it fails as busy.
    ///   - connectionPatience: how long a transaction waits for a pooled connection.
    public init(
        url: String, maximumConnections: Int = 20, writeLockPatience: Duration = .seconds(10), connectionPatience: Duration = .seconds(5)
    ) async throws {
        let address = try PostgresDatabaseURL(url)
        redactedURL = address.redacted
        self.connectionPatience = connectionPatience
        // The server's keepalives find a peer that went silent (its host lost power or its network)
        // within about half a minute, on every connection: on the scheduler lock's, that is what
        // frees the lock for another instance (the default would take over two hours).
        let keepalives = [("tcp_keepalives_idle", "10"), ("tcp_keepalives_interval", "5"), ("tcp_keepalives_count", "3")]
        var listener = address.connectionConfiguration
        listener.options.connectTimeout = .seconds(5)
        listener.options.additionalStartupParameters = keepalives
        listenerConfiguration = listener
        var configuration = address.configuration
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        let milliseconds = writeLockPatience.components.seconds * 1000 + writeLockPatience.components.attoseconds / 1_000_000_000_000_000
        // A transaction left open by an instance that froze or lost its network must not keep the
        // writer lock from every other: the server ends it after 30 idle seconds, and its
        // keepalives find a peer that went silent within about half a minute.
        configuration.options.additionalStartupParameters = [
            ("lock_timeout", "\(max(1, milliseconds))ms"), ("idle_in_transaction_session_timeout", "30s"),
        ] + keepalives
        // postgres-nio logs nothing of ours below critical (its debug lines name statements).
        var quiet = Logger(label: "saferelay.postgres")
        quiet.logLevel = .critical
        let logger = quiet
        self.logger = logger
        scheduler = PostgresSessionLock(configuration: listener, key: Self.schedulerLock, logger: logger)
        probe = PostgresSideConnection(configuration: listener, id: 0x5052, logger: logger)
        notifier = PostgresSideConnection(configuration: listener, id: 0x4E54, logger: logger)
        // One connection first, so that a wrong address, password or grant fails at once with
        // its reason (the pool would keep retrying); it applies pending migrations.
        var direct = address.connectionConfiguration
        direct.options.connectTimeout = .seconds(5)
        let first = direct
        do {
            try await Self.withDeadline(.seconds(15)) {
                let connection = try await PostgresConnection.connect(configuration: first, id: 0, logger: logger)
                do {
                    try await PostgresMigrations.migrate(connection, logger: logger)
                } catch {
                    try? await connection.close()
                    throw error
                }
                try await connection.close()
            }
        } catch {
            throw StoreError.cannotOpen(path: address.redacted, reason: Self.reason(error))
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit {
        runner.cancel()
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T {
        try await transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", writer: false, body)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) async throws -> T) async throws -> T {
        // Read committed, whatever the role's default: each statement sees what committed before
        // it, so everything after the writer lock sees every earlier write.
        try await transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED", writer: true, body)
    }

    private func transaction<T: Sendable>(
        begin: PostgresQuery, writer: Bool, _ body: @escaping @Sendable (PostgresAccess) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        do {
            return try await withConnection(patience: connectionPatience) { connection in
                try await connection.query(begin, logger: logger)
                do {
                    if writer { try await connection.query("SELECT pg_advisory_xact_lock(\(Self.writerLock))", logger: logger) }
                    let value = try await body(PostgresAccess(connection: connection, logger: logger))
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch let error as PSQLError {
            throw Self.storeError(error)
        }
    }

    /// Runs `body` on one connection inside a write transaction (the writer lock held): the
    /// store copy's raw inserts.
    func withWriteConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED", writer: true) { access in
            try await body(access.connection, logger)
        }
    }

    /// Runs `body` on a pooled connection, or throws ``StoreError/unavailable`` (``StoreError/busy``
    /// if the server answers but every connection is taken) when none was handed over within
    /// `patience`. Once `body` has begun it is not cut short while its connection lives (a slow
    /// query is waited for); if the server drops the connection under it, the caller gets
    /// ``StoreError/unavailable`` at once (a commit under way is then in doubt, as with any lost
    /// connection: an inbound webhook answered 503 is retried and stored once).
    private func withConnection<T: Sendable>(
        patience: Duration, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        // Whichever comes first wins, under one lock: the connection (then the body runs to its
        // end) or the deadline (then the body never starts, even if a connection comes later).
        // The caller is answered at once either way: a lease the pool never grants (the server is
        // gone) must not hold it.
        let race = ConnectionRace()
        let (client, watch) = (self.client, self.watch)
        let outcome = FirstResult<T>()
        let worker = Task {
            do {
                // The body settles the outcome itself (before the pool takes the connection back).
                _ = try await client.withConnection { connection in
                    let mayStart = race.state.withLock { state in
                        guard state == .waiting else { return false }
                        state = .started
                        return true
                    }
                    guard mayStart else { throw StoreError.unavailable }
                    // A connection the server drops under the body answers the caller at once:
                    // a query under way on it was seen never to return.
                    return try await watch.during(connection, onClose: { outcome.settle(.failure(StoreError.unavailable)) }) {
                        do {
                            let value = try await body(connection)
                            outcome.settle(.success(value))
                            return value
                        } catch {
                            outcome.settle(.failure(BodyFailure(error: error)))
                            throw BodyFailure(error: error)
                        }
                    }
                }
            } catch {
                outcome.settle(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: patience)
            let gaveUp = race.state.withLock { state in
                guard state == .waiting else { return false }
                state = .gaveUp
                return true
            }
            if gaveUp {
                outcome.settle(.failure(StoreError.unavailable))
                worker.cancel()
            }
        }
        defer { timer.cancel() }
        switch await outcome.value() {
        case .success(let value):
            return value
        case .failure(let failure as BodyFailure):
            throw failure.error
        case .failure(let error as PSQLError):
            throw error
        case .failure(let error as StoreError):
            throw error
        case .failure:
            // The pool's own failures (it could not connect, its circuit breaker is open).
            throw StoreError.unavailable
        }
    }

    /// Who won: the pooled connection or the deadline.
    private final class ConnectionRace: Sendable {
        enum State { case waiting, started, gaveUp }
        let state = Mutex(State.waiting)
    }

    /// An error the body threw, passed through as it is.
    private struct BodyFailure: Error {
        let error: any Error
    }

    /// PostgreSQL has no WAL file of ours to truncate: erased rows are unreadable because their
    /// wrapped keys went in the same transaction (crypto-shredding), and linger as dead tuples
    /// until vacuum. This asks for that vacuum of the tables that hold ciphertext.
    public func checkpointAndTruncate(patience: Duration) async throws {
        do {
            _ = try await withConnection(patience: connectionPatience) { [logger] connection in
                try await connection.query("VACUUM message, thread, contact, case_record, outbox, resume_phrase", logger: logger)
            }
        } catch let error as PSQLError {
            throw Self.storeError(error)
        }
    }

    /// Whether the database answers a query within `patience`, on the probe's own connection
    /// (writes wait only for the writer lock, which no health probe should take).
    public func canTakeWrites(patience: Duration) async -> Bool {
        await probe.run("SELECT 1", within: patience)
    }

    public func close() throws {
        runner.cancel()
        let (scheduler, probe, notifier) = (self.scheduler, self.probe, self.notifier)
        Task {
            await scheduler.release()
            await probe.close()
            await notifier.close()
        }
    }

    // MARK: - Several instances

    public var isShared: Bool { true }

    public func broadcast(_ payload: String) async {
        // On the notifier's own connection, tried twice (the second on a new connection): a notice
        // that still cannot go is dropped, and what it announced shows on other instances' pages
        // and consoles at their next reload.
        for _ in 0..<2 {
            if await notifier.run("SELECT pg_notify(\(Self.broadcastChannel), \(payload))", within: connectionPatience) { return }
        }
    }

    public func holdsSchedulerLock() async -> Bool {
        await scheduler.isHeld()
    }

    public func broadcasts() -> AsyncStream<StoreBroadcast> {
        let (stream, continuation) = AsyncStream.makeStream(of: StoreBroadcast.self, bufferingPolicy: .bufferingNewest(4096))
        let listener = PostgresBroadcastListener(configuration: listenerConfiguration, channel: Self.broadcastChannel, logger: logger)
        let task = Task { await listener.run(into: continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: - Errors

    /// A PostgreSQL error as a store error: the SQLSTATE at most.
    static func storeError(_ error: PSQLError) -> StoreError {
        if let state = error.serverInfo?[.sqlState] {
            switch state {
            case "55P03", "40001", "40P01": return .busy
            case "57P01", "57P02", "57P03", "53300": return .unavailable
            default: return .refused(sqlState: String(state.prefix(5)))
            }
        }
        return .unavailable
    }

    /// Why the database could not be opened, in words (never the address or the password).
    static func reason(_ error: any Error) -> String {
        if error is DeadlineExceeded { return "no answer within 15 seconds (is the server running and reachable?)" }
        guard let error = error as? PSQLError else { return "it could not be reached" }
        switch error.serverInfo?[.sqlState] {
        case "28P01", "28000": return "authentication failed (check the user and password)"
        case "3D000": return "there is no such database"
        case "42501": return "the user may not create tables in it (grant CREATE on the schema)"
        case .some(let state): return "the server refused (SQLSTATE \(state.prefix(5)))"
        case .none: return "it could not be reached (is the server running and reachable?)"
        }
    }
}
