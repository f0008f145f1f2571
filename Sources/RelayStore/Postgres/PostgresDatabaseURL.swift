import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` address, read into postgres-nio's
/// configuration. Its ``redacted`` form (no password) is the only one ever printed or logged.
public struct PostgresDatabaseURL: Sendable {
    /// The pooled client's configuration it describes.
    let configuration: PostgresClient.Configuration
    /// One connection's configuration (the first, checked connection at start-up).
    let connectionConfiguration: PostgresConnection.Configuration
    /// The address without its password: `postgres://user@host:port/database`.
    public let redacted: String

    /// Whether `text` names a PostgreSQL database (rather than a SQLite path).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads an address; the error never repeats the password.
    public init(_ text: String) throws {
        guard Self.isPostgres(text), text.utf8.count <= 2048, let components = URLComponents(string: text) else {
            throw StoreError.cannotOpen(path: "the database URL", reason: "not a postgres://user:password@host:port/database address")
        }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? ""
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let host = components.host ?? ""
        let port = components.port ?? 5432
        let database = String(components.path.dropFirst())
        let redacted = "postgres://\(user.isEmpty ? "" : user + "@")\(host):\(port)/\(database)"
        guard !user.isEmpty, !database.isEmpty, !database.contains("/") else {
            throw StoreError.cannotOpen(path: redacted, reason: "the address needs a user and a database name")
        }
        var socketPath: String?
        var tls = PostgresClient.Configuration.TLS.prefer(.makeClientConfiguration())
        var connectionTLS = PostgresConnection.Configuration.TLS.prefer(try .init(configuration: .makeClientConfiguration()))
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"):
                tls = .disable
                connectionTLS = .disable
            case ("sslmode", "prefer"):
                tls = .prefer(.makeClientConfiguration())
                connectionTLS = .prefer(try .init(configuration: .makeClientConfiguration()))
            case ("sslmode", "require"):
                tls = .require(.makeClientConfiguration())
                connectionTLS = .require(try .init(configuration: .makeClientConfiguration()))
            case ("host", let path) where path.hasPrefix("/"): socketPath = path + "/.s.PGSQL.\(port)"
            default:
                throw StoreError.cannotOpen(path: redacted, reason: "unknown option \(item.name.prefix(30)) (sslmode=disable|prefer|require, host=/socket/dir)")
            }
        }
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
            connectionConfiguration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
        } else {
            guard !host.isEmpty else { throw StoreError.cannotOpen(path: redacted, reason: "the address needs a host") }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
            connectionConfiguration = .init(host: host, port: port, username: user, password: password, database: database, tls: connectionTLS)
        }
        self.redacted = redacted
    }
}
