import Foundation
import RelayTestSupport
import Testing

/// `saferelay triage test` and `check`, the real binary: what a message fires and would be sent,
/// without a server or a store; a bad file refused with its line (65), bad options with 64.
@Suite(.timeLimit(.minutes(2)))
struct TriageCommandTests {
    static let policy = RepositoryFile.path("Policies/triage.yaml")

    @Test func testShowsTheRulesAMessageFiresAndWhatWouldBeSent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try SafeRelayBinary.run(["triage", "test", "--policy", Self.policy, "Hola, necesito ayuda por favor", "--json"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["language"] as? String == "es" && object["urgent"] as? Bool == true)
        let answer = try #require(object["answer"] as? [String: Any])
        #expect(answer["kind"] as? String == "first_answer" && (answer["text"] as? String)?.hasPrefix("Gracias por tu mensaje") == true)
        // A menu answer later in a conversation, as text: the redirect and its reply.
        let menu = try SafeRelayBinary.run(["triage", "test", "--policy", Self.policy, "OTHER", "--follow-up", "--language", "en"], in: dir.path)
        #expect(menu.status == 0 && menu.stdout.contains("redirect: other_help") && menu.stdout.contains("211"))
        // Nothing was written where it ran.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func aBadFileIsRefusedWithItsLineAndBadOptionsAreUsageErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let bad = dir.file("triage.yaml")
        try "version: 1\nfirst_answer:\n  default: { en: \"Hi\" }\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try SafeRelayBinary.run(["triage", "check", "--policy", bad], in: dir.path)
        #expect(refused.status == 65 && refused.stderr.contains("triage.yaml:3:") && refused.stderr.contains("Spanish"), "\(refused.stderr)")
        let missing = try SafeRelayBinary.run(["triage", "check", "--policy", dir.file("none.yaml")], in: dir.path)
        #expect(missing.status == 66)
        #expect(try SafeRelayBinary.run(["triage", "check", "--policy", Self.policy], in: dir.path).status == 0)
        for arguments in [["triage", "test", "hi", "--channel", "fax"], ["triage", "test", "hi", "--at", "tomorrow"], ["triage", "test", "hi", "--language", "fr"]] {
            let result = try SafeRelayBinary.run(arguments, in: dir.path)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
        // The server refuses to start on a bad file, with the same line.
        let serve = try SafeRelayBinary.run(["serve", "--port", "0", "--triage", bad], in: dir.path, timeout: 60)
        #expect(serve.status == 65 && serve.stderr.contains("triage.yaml:3:"), "\(serve.stderr)")
    }
}
