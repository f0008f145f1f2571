import Foundation
import RelayTestSupport
import Testing

/// The relay and its commands on PostgreSQL, as an operator runs them: `--database` /
/// `SAFERELAY_DATABASE_URL`, a bad address refused at start-up with one line and exit 78 (never
/// the password), and `store copy` moving a SQLite hotline into an empty database.
@Suite(.timeLimit(.minutes(5)))
struct PostgresCommandTests {
    /// The password inside a URL.
    static func password(_ url: String) -> String { URLComponents(string: url)?.password ?? "<none>" }

    @Test func serveOnPostgresAnswersHealthzAndKeepsThePasswordOutOfLogsAndItsEnvironment() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let database = try await TestDatabase.create()
        #expect(try SafeRelayBinary.run(["keys", "init"], in: dir.path).status == 0)
        // An account first, so that the audit log has grown when the server's scheduler starts.
        #expect(try SafeRelayBinary.run(["advocates", "add", "ana", "--role", "advocate"], in: dir.path, environment: ["SAFERELAY_DATABASE_URL": database.url]).status == 0)
        let server = try RunningServer(in: dir.path, environment: ["SAFERELAY_DATABASE_URL": database.url])
        #expect(server.waitUntilListening(), "server did not start: \(server.log)")
        #expect(try await server.get("/healthz").0 == 200)
        // The witness checkpoint is written in the data folder, which no database file needed.
        let witness = dir.file("data/audit-checkpoint.latest")
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: witness) && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(FileManager.default.fileExists(atPath: witness), "no witness: \(server.log)")
        // Read once, then gone from /proc/PID/environ.
        let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(server.pid)/environ"))) ?? Data()
        #expect(!String(decoding: environ, as: UTF8.self).contains(Self.password(database.url)))
        #expect(server.stop() == 0)
        #expect(server.log.contains("store: PostgreSQL") && !server.log.contains(Self.password(database.url)))
        // No SQLite file was made: the data lives in the database.
        #expect(!FileManager.default.fileExists(atPath: dir.file("data/saferelay.sqlite")))
        let verify = try SafeRelayBinary.run(["audit", "verify"], in: dir.path, environment: ["SAFERELAY_DATABASE_URL": database.url])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        try await database.drop()
    }

    @Test func aDatabaseThatCannotBeUsedStopsStartUpWithOneLineAndExit78() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try SafeRelayBinary.run(["keys", "init"], in: dir.path).status == 0)
        let cluster = try TestDatabase.clusterURL()
        var wrong = try #require(URLComponents(string: cluster))
        wrong.password = "not-the-password-91c2"
        var closedPort = try #require(URLComponents(string: cluster))
        closedPort.port = 9
        var missing = try #require(URLComponents(string: cluster))
        missing.path = "/no_such_database"
        let cases: [(String, String)] = [
            (try #require(wrong.string), "authentication failed"),
            (try #require(closedPort.string), "could not be reached"),
            (try #require(missing.string), "no such database"),
            ("postgres://nobody@127.0.0.1:5432", "needs a user and a database name"),
        ]
        for (url, reason) in cases {
            let result = try SafeRelayBinary.run(["serve", "--port", "0"], in: dir.path, environment: ["SAFERELAY_DATABASE_URL": url], timeout: 60)
            #expect(result.status == 78, "\(reason): \(result.stderr)")
            let errors = result.stderr.split(separator: "\n").filter { $0.contains("error") }
            #expect(errors.count == 1 && errors[0].contains(reason), "\(result.stderr)")
            #expect(!result.stderr.contains("not-the-password") && !result.stderr.contains(Self.password(cluster)))
            #expect(!result.stdout.contains("not-the-password") && !result.stdout.contains(Self.password(cluster)))
        }
        // The same for a command of the CLI.
        let listed = try SafeRelayBinary.run(["advocates", "list", "--database", try #require(wrong.string)], in: dir.path)
        #expect(listed.status == 78 && listed.stderr.contains("authentication failed") && !listed.stderr.contains("not-the-password"))
    }

    @Test func storeCopyMovesAHotlineIntoAnEmptyDatabaseWhereItsAuditLogVerifies() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try RunningServer(in: dir.path)
        #expect(server.waitUntilListening(), "server did not start: \(server.log)")
        #expect(server.stop() == 0)
        for name in ["maria", "jonas"] {
            #expect(try SafeRelayBinary.run(["advocates", "add", name, "--role", "advocate"], in: dir.path).status == 0)
        }
        #expect(try SafeRelayBinary.run(["audit", "checkpoint"], in: dir.path).status == 0)
        #expect(try SafeRelayBinary.run(["advocates", "disable", "jonas"], in: dir.path).status == 0)
        let sourceAudit = try SafeRelayBinary.run(["audit", "verify"], in: dir.path)
        #expect(sourceAudit.status == 0, "\(sourceAudit.stderr)")

        let database = try await TestDatabase.create()
        let copied = try SafeRelayBinary.run(["store", "copy", "--from", "sqlite:data/saferelay.sqlite", "--to", database.url], in: dir.path)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("account 2") && copied.stdout.contains("audit log on the target OK"))
        #expect(!copied.stdout.contains(Self.password(database.url)) && !copied.stderr.contains(Self.password(database.url)))

        // The relay's commands now read it there: the same accounts, the same audit log.
        let listed = try SafeRelayBinary.run(["advocates", "list"], in: dir.path, environment: ["SAFERELAY_DATABASE_URL": database.url])
        #expect(listed.status == 0 && listed.stdout.contains("maria") && listed.stdout.contains("jonas"))
        let targetAudit = try SafeRelayBinary.run(["audit", "verify", "--database", database.url], in: dir.path)
        #expect(targetAudit.status == 0, "\(targetAudit.stderr)")
        #expect(Self.eventCount(targetAudit.stdout) == Self.eventCount(sourceAudit.stdout))

        // Never into a database that holds data: nothing is overwritten or merged.
        let again = try SafeRelayBinary.run(["store", "copy", "--to", database.url], in: dir.path)
        #expect(again.status == 73 && again.stderr.contains("not empty"), "\(again.stderr)")
        try await database.drop()
    }

    /// "audit log OK: N events …" → N.
    static func eventCount(_ text: String) -> Int? {
        guard let range = text.range(of: "audit log OK: ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
