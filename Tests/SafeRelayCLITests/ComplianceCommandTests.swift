import Foundation
import RelayProcess
import RelayTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `retention`, `hold` and `audit` against a database filled through the real server.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ComplianceCommandTests {
    static let policy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Policies/default.yaml").path

    /// A folder with a keyring and a database holding `conversations` webchat threads of one message each.
    static func populated(conversations: Int) async throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        let server = try RunningServer(in: dir.path)
        guard server.waitUntilListening() else { throw CLIFailureForTest(log: server.log) }
        for index in 0..<conversations {
            var start = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/chat/sessions")!)
            start.httpMethod = "POST"
            let (data, _) = try await URLSession.shared.data(for: start)
            let token = try JSONDecoder().decode([String: String].self, from: data)["token"]!
            var send = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/chat/messages")!)
            send.httpMethod = "POST"
            send.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            send.setValue("application/json", forHTTPHeaderField: "Content-Type")
            send.setValue("key-\(index)-0000000", forHTTPHeaderField: "Idempotency-Key")
            send.httpBody = Data(#"{"text":"CLICANARY-\#(index)"}"#.utf8)
            let (_, response) = try await URLSession.shared.data(for: send)
            precondition((response as? HTTPURLResponse)?.statusCode == 201)
        }
        _ = server.stop()
        return dir
    }

    struct CLIFailureForTest: Error { let log: String }

    struct Plan: Decodable {
        struct Thread: Decodable {
            let thread: String
            let action: String
        }
        struct Counts: Decodable {
            let threadsToClose: Int
            let threadsToPurge: Int
            let messagesToPurge: Int
            let threadsHeld: Int
        }
        let threads: [Thread]
        let counts: Counts
    }

    static func plan(_ dir: TemporaryDirectory, asOf: String) throws -> Plan {
        let result = try SafeRelayBinary.run(["retention", "plan", "--policy", policy, "--as-of", asOf, "--json"], in: dir.path)
        precondition(result.status == 0, result.stderr)
        return try JSONDecoder().decode(Plan.self, from: Data(result.stdout.utf8))
    }

    @Test func holdsPlanApplyStatusAndAnAuditTrailThatVerifies() async throws {
        let dir = try await Self.populated(conversations: 3)
        defer { dir.remove() }
        let later = "2030-06-01T00:00:00Z"
        let first = try Self.plan(dir, asOf: later)
        #expect(first.threads.count == 3 && first.counts.threadsToClose == 3)

        // Hold one thread; unknown threads and empty reasons are refused.
        let held = first.threads[0].thread
        #expect(try SafeRelayBinary.run(["hold", "add", held, "--reason", "Order 2026-117", "--actor", "maria"], in: dir.path).status == 0)
        #expect(try SafeRelayBinary.run(["hold", "add", "nope", "--reason", "x"], in: dir.path).status == 66)
        #expect(try SafeRelayBinary.run(["hold", "add", held, "--reason", " "], in: dir.path).status == 64)
        let list = try SafeRelayBinary.run(["hold", "list"], in: dir.path)
        #expect(list.stdout.contains(held) && list.stdout.contains("Order 2026-117") && list.stdout.contains("maria"))

        // Apply needs --yes off a terminal; then it closes (first pass) and purges (second pass) all but the held one.
        let refused = try SafeRelayBinary.run(["retention", "apply", "--policy", Self.policy, "--as-of", later], in: dir.path)
        #expect(refused.status == 64)
        #expect(try SafeRelayBinary.run(["retention", "apply", "--policy", Self.policy, "--as-of", "2030-01-01", "--yes"], in: dir.path).status == 0)
        let plan = try Self.plan(dir, asOf: later)
        #expect(plan.counts.threadsToPurge == 2 && plan.counts.messagesToPurge == 2 && plan.counts.threadsHeld == 1)
        let applied = try SafeRelayBinary.run(["retention", "apply", "--policy", Self.policy, "--as-of", later, "--yes", "--json"], in: dir.path)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains(#""threadsToPurge":2"#))
        #expect(try Self.plan(dir, asOf: later).counts.threadsToPurge == 0)

        let status = try SafeRelayBinary.run(["retention", "status"], in: dir.path)
        #expect(status.stdout.contains("erased  2 threads, 0 messages"))
        #expect(status.stdout.contains("legal holds: 1"))

        // The purged content is gone from the files; the held one is still there (sealed).
        let db = dir.file("data/saferelay.sqlite")
        #expect(try FileScan.hits(in: FileScan.databaseFiles(db), needles: [Array("CLICANARY".utf8)]).isEmpty)

        #expect(try SafeRelayBinary.run(["hold", "release", held], in: dir.path).status == 0)
        #expect(try SafeRelayBinary.run(["hold", "release", held], in: dir.path).status == 66)

        // The audit trail: hold changes and receipts, verified, exported, and checked independently.
        let verify = try SafeRelayBinary.run(["audit", "verify"], in: dir.path)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("audit log OK"))
        let export = dir.file("audit.jsonl")
        let exported = try SafeRelayBinary.run(["audit", "export", "--out", export], in: dir.path)
        #expect(exported.status == 0)
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains { $0.contains(#""action":"hold.add""#) && $0.contains(#""actor":"maria""#) })
        #expect(lines.contains { $0.contains(#""action":"hold.release""#) })
        #expect(lines.contains { $0.contains(#""action":"retention.apply""#) && $0.contains(#""x_threads_purged":"2""#) })
        #expect(!lines.contains { $0.contains("CLICANARY") })
        if Self.pythonHasCryptography() {
            let check = try Self.python([Self.repositoryFile("scripts/verify-audit-export.py"), export])
            #expect(check.0 == 0, "\(check.1)")
            #expect(check.1.hasPrefix("OK:"))
        }
        let since = try SafeRelayBinary.run(["audit", "export", "--since", "2000-01-01", "--out", dir.file("since.jsonl")], in: dir.path)
        #expect(since.status == 0)

        // A forged witness checkpoint makes verify fail and say why.
        try "saferelay.local/audit/x\n1\nAAAA\n\n\u{2014} x AAAA\n".write(toFile: dir.file("data/audit-checkpoint.latest"), atomically: true, encoding: .utf8)
        let forged = try SafeRelayBinary.run(["audit", "verify"], in: dir.path)
        #expect(forged.status == 1)
        #expect(forged.stderr.contains("witness checkpoint"))
        #expect(try SafeRelayBinary.run(["audit", "checkpoint"], in: dir.path).stdout.contains("\u{2014} saferelay.local/audit/"))

        // The witness is private, and required: without it a restored old copy of the database would verify.
        let witness = dir.file("data/audit-checkpoint.latest")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: witness)[.posixPermissions] as? Int)
        #expect(mode & 0o077 == 0, "witness mode \(String(mode, radix: 8))")
        let copy = dir.file("checkpoint-off-host.txt")
        try FileManager.default.copyItem(atPath: witness, toPath: copy)
        try FileManager.default.removeItem(atPath: witness)
        let missing = try SafeRelayBinary.run(["audit", "verify"], in: dir.path)
        #expect(missing.status == 1 && missing.stderr.contains("no witness checkpoint"), "\(missing.stderr)")
        let unwitnessed = try SafeRelayBinary.run(["audit", "verify", "--no-witness"], in: dir.path)
        #expect(unwitnessed.status == 0 && unwitnessed.stderr.contains("WARNING"), "\(unwitnessed.stderr)")
        #expect(try SafeRelayBinary.run(["audit", "verify", "--checkpoint", copy], in: dir.path).status == 0)
    }

    @Test func badInputIsRefusedWithAClearMessageAndNothingChanges() async throws {
        let dir = try await Self.populated(conversations: 1)
        defer { dir.remove() }
        let badTime = try SafeRelayBinary.run(["retention", "plan", "--policy", Self.policy, "--as-of", "yesterday"], in: dir.path)
        #expect(badTime.status == 64 && badTime.stderr.contains("is not a time"))
        let missing = try SafeRelayBinary.run(["retention", "plan", "--policy", "Policies/none.yaml"], in: dir.path)
        #expect(missing.status == 65 && missing.stderr.contains("Policies/none.yaml"))
        try "content:\n  idle_close_after: 1d\n  after_close: soon\nmetadata: {keep_for: 1y}\naudit: {keep_for: 1y}\n"
            .write(toFile: dir.file("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try SafeRelayBinary.run(["retention", "apply", "--policy", "bad.yaml", "--yes"], in: dir.path)
        #expect(bad.status == 65 && bad.stderr.contains("bad.yaml:3:"))
        let serveBad = try SafeRelayBinary.run(["serve", "--port", "0", "--policy", "bad.yaml"], in: dir.path)
        #expect(serveBad.status == 65)
        let noDatabase = try SafeRelayBinary.run(["audit", "verify", "--data", "elsewhere"], in: dir.path)
        #expect(noDatabase.status == 66 && noDatabase.stderr.contains("no database"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("elsewhere")))
        #expect(try SafeRelayBinary.run(["audit", "verify"], in: dir.path).status == 0)
    }

    static func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(path).path
    }

    static func pythonHasCryptography() -> Bool {
        (try? python(["-c", "import cryptography"]).0) == 0
    }

    static func python(_ arguments: [String]) throws -> (Int32, String) {
        let result = try Command(executable: "/usr/bin/env", arguments: ["python3"] + arguments).run(timeout: 120, combiningOutput: true)
        return (result.status, result.stdout)
    }
}
