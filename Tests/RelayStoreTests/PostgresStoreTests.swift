import Foundation
import RelayModel
import Logging
import PostgresNIO
@testable import RelayStore
import RelayTestSupport
import Testing

/// What only PostgreSQL needs showing: several instances on one database write one after another
/// (the audit log stays gap-free), migrations run once, and a bad address fails with one clear
/// line that never carries the password.
@Suite(.timeLimit(.minutes(3)))
struct PostgresStoreTests {
    @Test func writesFromTwoInstancesAreSerialSoTheAuditLogHasNoGapsOrForks() async throws {
        let database = try await TestDatabase.create()
        // What is shown is the order, not the patience: on a loaded machine forty writes queued
        // at once may wait longer than a server would let them.
        let first = try await PostgresStore(url: database.url, writeLockPatience: .seconds(60), connectionPatience: .seconds(60))
        let second = try await PostgresStore(url: database.url, writeLockPatience: .seconds(60), connectionPatience: .seconds(60))
        // Each write reads the log's size and appends at exactly that position, as AuditLog does:
        // without one writer at a time two would read the same size and one would fail.
        let failures = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                let store = index % 2 == 0 ? first : second
                group.addTask {
                    do {
                        try await store.write { writer in
                            let seq = try await writer.auditSize()
                            try await writer.appendAudit(AuditRow(seq: seq, line: "{}", leafHash: Data(repeating: 1, count: 32), createdAt: seq))
                        }
                        return false
                    } catch {
                        return true
                    }
                }
            }
            var failures = 0
            for await failed in group where failed { failures += 1 }
            return failures
        }
        #expect(failures == 0)
        #expect(try await second.read { try await $0.auditEvents(from: 0, limit: 100).map(\.seq) } == Array(0..<40))
        try first.close()
        try second.close()
        try await database.drop()
    }

    /// Every connection the store opens, in the pool or outside it (the scheduler lock's above all:
    /// its holder may lose power, and only the server's keepalives then free the lock for another
    /// instance), asks the server to probe a silent peer within about half a minute.
    @Test func everyConnectionAsksForKeepalives() async throws {
        let database = try await TestDatabase.create()
        let store = try await PostgresStore(url: database.url)
        var logger = Logger(label: "saferelay.test.postgres")
        logger.logLevel = .critical
        let outside = try await PostgresConnection.connect(configuration: store.listenerConfiguration, id: 1, logger: logger)
        var settings: [String] = []
        for name in ["tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count"] {
            let rows = try await outside.query(PostgresQuery(unsafeSQL: "SHOW \(name)"), logger: logger)
            for try await value in rows.decode(String.self) { settings.append(value) }
        }
        try await outside.close()
        #expect(settings == ["10", "5", "3"])
        try store.close()
        try await database.drop()
    }

    @Test func reopeningRunsNoMigrationTwiceAndKeepsData() async throws {
        let database = try await TestDatabase.create()
        let store = try await PostgresStore(url: database.url)
        try await store.write { try await $0.insert(Fixtures.contact(id: "c1")) }
        try store.close()
        let reopened = try await PostgresStore(url: database.url)
        #expect(try await reopened.read { try await $0.contact(id: "c1") } == Fixtures.contact(id: "c1"))
        try reopened.close()
        try await database.drop()
    }

    @Test func aBadAddressFailsWithOneClearLineAndNeverThePassword() async throws {
        let cluster = try TestDatabase.clusterURL()
        var components = try #require(URLComponents(string: cluster))
        let secret = "not-the-password-7f3a9c"
        components.password = secret
        let wrongPassword = try #require(components.string)
        components.password = secret
        components.port = 1  // nothing listens there
        let unreachable = try #require(components.string)
        components.port = URLComponents(string: cluster)?.port
        components.path = "/no_such_database"
        let missingDatabase = try #require(components.string)
        let cases: [(String, String)] = [
            (wrongPassword, "authentication failed"), (unreachable, "could not be reached"),
            ("postgres://saferelay:\(secret)@127.0.0.1", "needs a user and a database"),
            (cluster.replacingOccurrences(of: "sslmode=disable", with: "sslmode=sometimes"), "unknown option"),
        ]
        for (url, reason) in cases {
            do {
                let store = try await PostgresStore(url: url)
                try store.close()
                Issue.record("\(reason): opened")
            } catch let error as StoreError {
                let line = error.description
                #expect(line.contains(reason), "\(line)")
                #expect(!line.contains(secret) && !line.contains("\n"), "\(line)")
                if let password = URLComponents(string: cluster)?.password { #expect(!line.contains(password)) }
            }
        }
        // With the right password but no such database, it says so.
        components.password = URLComponents(string: cluster)?.password
        do {
            _ = try await PostgresStore(url: missingDatabase.replacingOccurrences(of: secret, with: components.password ?? ""))
            Issue.record("a missing database opened")
        } catch let error as StoreError {
            #expect(error.description.contains("no such database"), "\(error.description)")
        }
    }
}
