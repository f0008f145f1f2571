import Foundation
import PostgresNIO
import RelayStore

/// The store backends a test runs against: a SQLite file in a fresh folder, or a fresh database in
/// the private PostgreSQL cluster `scripts/test` starts (`scripts/postgres-cluster`), whose URL it
/// puts in `SAFERELAY_TEST_POSTGRES_URL`.
public enum TestStoreBackend: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    /// The backend the HTTP-level tests run on: `SAFERELAY_TEST_BACKEND` (`sqlite`, the default, or
    /// `postgres`; `scripts/test` runs the server tests once with each).
    public static var current: TestStoreBackend {
        ProcessInfo.processInfo.environment["SAFERELAY_TEST_BACKEND"].flatMap(TestStoreBackend.init(rawValue:)) ?? .sqlite
    }

    /// Whether the tests run on SQLite (for the tests of SQLite's files: `.enabled(if: TestStoreBackend.isSQLite)`).
    public static var isSQLite: Bool { current == .sqlite }

    /// The environment variable holding the test cluster's URL (its `postgres` database).
    public static let clusterVariable = "SAFERELAY_TEST_POSTGRES_URL"

    /// Runs `body` with a new, empty store of this kind, closed and deleted afterwards.
    public func withStore(_ body: @Sendable (any RelayStore) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let store = try SQLiteStore(path: directory.file("data/saferelay.sqlite"))
            defer { try? store.close() }
            try await body(store)
        case .postgres:
            let database = try await TestDatabase.create()
            do {
                let store = try await PostgresStore(url: database.url)
                do {
                    try await body(store)
                } catch {
                    try? store.close()
                    throw error
                }
                try store.close()
            } catch {
                try? await database.drop()
                throw error
            }
            try await database.drop()
        }
    }
}

/// A database of its own in the test cluster, for one test: created empty, dropped afterwards.
public struct TestDatabase: Sendable {
    /// Its URL (with the cluster's password: never printed).
    public let url: String
    /// Its name.
    public let name: String
    /// The cluster it is in (its `postgres` database).
    public let clusterURL: String

    /// The cluster's URL, or a clear failure when `scripts/test` did not start one.
    public static func clusterURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[TestStoreBackend.clusterVariable], !url.isEmpty else {
            throw TestDatabaseError(
                "no PostgreSQL test cluster: run the tests with scripts/test (it starts one and sets \(TestStoreBackend.clusterVariable))")
        }
        return url
    }

    /// Creates an empty database with a random name, in the test cluster or the one `cluster` names.
    public static func create(in clusterURL: String? = nil) async throws -> TestDatabase {
        let cluster = try clusterURL ?? Self.clusterURL()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await retrying {
            try await admin(cluster) { connection, logger in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            }
        }
        guard var components = URLComponents(string: cluster) else { throw TestDatabaseError("the cluster URL does not parse") }
        components.path = "/" + name
        guard let url = components.string else { throw TestDatabaseError("the cluster URL does not parse") }
        return TestDatabase(url: url, name: name, clusterURL: cluster)
    }

    /// Drops the database (closing any connection still on it).
    public func drop() async throws {
        let cluster = clusterURL
        try await Self.retrying {
            try await Self.admin(cluster) { connection, logger in
                try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            }
        }
    }

    /// Tries `work` up to ten times: PostgreSQL refuses a `CREATE DATABASE` while another copies
    /// the same template (SQLSTATE 55006), which tests running side by side do all the time.
    static func retrying(_ work: () async throws -> Void) async throws {
        for attempt in 1...10 {
            do {
                return try await work()
            } catch let error as PSQLError where attempt < 10 {
                _ = error
                try await Task.sleep(for: .milliseconds(50 * attempt + Int.random(in: 0...100)))
            }
        }
    }

    /// Runs `body` on one connection to the cluster's `postgres` database.
    public static func admin(
        _ url: String, _ body: @Sendable (PostgresConnection, Logger) async throws -> Void
    ) async throws {
        guard let components = URLComponents(string: url), let host = components.host, let user = components.user else {
            throw TestDatabaseError("the cluster URL does not parse")
        }
        var logger = Logger(label: "saferelay.test.postgres")
        logger.logLevel = .critical
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await body(connection, logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

/// A test database could not be made.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
