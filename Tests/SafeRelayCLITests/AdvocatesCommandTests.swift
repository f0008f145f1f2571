import Foundation
import RelayTestSupport
import Testing

/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct AdvocatesCommandTests {
    @Test func addListDisableAndResetAccounts() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try RunningServer(in: dir.path)
        #expect(server.waitUntilListening())
        #expect(server.stop() == 0)
        let added = try SafeRelayBinary.run(["advocates", "add", "maria", "--role", "advocate"], in: dir.path)
        #expect(added.status == 0)
        let secret = try #require(added.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(secret.count == 43)
        #expect(try SafeRelayBinary.run(["advocates", "add", "maria", "--role", "advocate"], in: dir.path).status == 64)
        #expect(try SafeRelayBinary.run(["advocates", "add", "x y", "--role", "advocate"], in: dir.path).status == 64)
        #expect(try SafeRelayBinary.run(["advocates", "add", "olga", "--role", "wizard"], in: dir.path).status == 64)
        #expect(try SafeRelayBinary.run(["advocates", "list"], in: dir.path).stdout.contains("maria  advocate  enrolment pending"))
        #expect(try SafeRelayBinary.run(["advocates", "disable", "maria"], in: dir.path).status == 0)
        #expect(try SafeRelayBinary.run(["advocates", "list"], in: dir.path).stdout.contains("maria  advocate  disabled"))
        let reset = try SafeRelayBinary.run(["advocates", "reset", "maria"], in: dir.path)
        #expect(reset.status == 0 && reset.stdout.contains("enrolment secret"))
        #expect(try SafeRelayBinary.run(["advocates", "reset", "nobody"], in: dir.path).status == 66)
        // The secret never reaches the database or the audit trail.
        #expect(try FileScan.hits(in: FileScan.databaseFiles(dir.file("data/saferelay.sqlite")), needles: [Array(secret.utf8)]).isEmpty)
        let audit = try SafeRelayBinary.run(["audit", "export"], in: dir.path)
        #expect(audit.stdout.contains(#""action":"account.add""#) && !audit.stdout.contains(secret))
    }
}
