import Foundation
import RelayTestSupport
import Testing

@Suite(.serialized, .timeLimit(.minutes(5)))
struct ServeCommandTests {
    @Test func serveStartsFromACleanDirectoryAnswersHealthzAndStopsCleanly() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try RunningServer(in: dir.path)
        #expect(server.waitUntilListening(), "server did not start: \(server.log)")
        let (status, body) = try await server.get("/healthz")
        #expect(status == 200)
        #expect(body == #"{"status":"ok"}"#)
        #expect(server.stop(signal: SIGTERM) == 0)
        let log = server.log
        #expect(log.contains("DEVELOPMENT MODE"))
        #expect(log.contains("store closed"))
        #expect(log.contains("stopped"))
        // Embedded defaults: the keyring under Keys/, the database under data/, both owner-only.
        let keyring = try FileManager.default.attributesOfItem(atPath: dir.file("Keys/saferelay.keyring"))
        #expect((keyring[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.fileExists(atPath: dir.file("data/saferelay.sqlite")))
        // A clean stop leaves an empty WAL.
        let wal = try? FileManager.default.attributesOfItem(atPath: dir.file("data/saferelay.sqlite-wal"))
        #expect((wal?[.size] as? Int ?? 0) == 0)
    }

    @Test func sigintAlsoStopsCleanlyAndARestartKeepsTheKeyring() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try RunningServer(in: dir.path)
        #expect(first.waitUntilListening())
        #expect(first.stop(signal: SIGINT) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("Keys/saferelay.keyring")))
        let second = try RunningServer(in: dir.path)
        #expect(second.waitUntilListening())
        #expect(!second.log.contains("DEVELOPMENT MODE"))
        #expect(second.stop() == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("Keys/saferelay.keyring"))) == before)
    }

    @Test func serveRefusesAKeyringOthersCanReadAndSaysWhy() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try SafeRelayBinary.run(["keys", "init"], in: dir.path).status == 0)
        chmod(dir.file("Keys/saferelay.keyring"), 0o644)
        let result = try SafeRelayBinary.run(["serve", "--port", "0"], in: dir.path)
        #expect(result.status == 77)
        #expect(result.stderr.contains("accessible to group or others"))
        #expect(result.stderr.contains("chmod 600"))
    }

    @Test func productionModeRefusesToCreateAMissingKeyring() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try SafeRelayBinary.run(["serve", "--port", "0"], in: dir.path, environment: ["SAFERELAY_PRODUCTION": "1"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("saferelay keys init"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("Keys/saferelay.keyring")))
    }

    @Test(arguments: [
        ["--port", "99999"], ["--port", "http"], ["--public-url", "not a url"], ["--no-such-flag"],
        ["--inbound-rate", "0"], ["--sender-rate", "fast"], ["--session-start-rate", "nan"], ["--client-start-rate", "-1"],
        ["--client-address-header", "X Forwarded"],
    ])
    func badFlagsAreRefusedAsUsageErrors(arguments: [String]) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try SafeRelayBinary.run(["serve"] + arguments, in: dir.path)
        #expect(result.status == 64)
        #expect(!result.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.file("Keys")))
    }

    @Test func environmentVariablesConfigureServeAndFlagsWin() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try RunningServer(
            in: dir.path, arguments: ["--data", "flagdata"],
            environment: ["SAFERELAY_DATA": "envdata", "SAFERELAY_KEYRING": "secrets/relay.keyring"])
        #expect(server.waitUntilListening())
        #expect(server.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: dir.file("flagdata/saferelay.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("envdata")))
        #expect(FileManager.default.fileExists(atPath: dir.file("secrets/relay.keyring")))
    }

    @Test func rateLimitFlagsTakeEffect() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A bucket smaller than one token refuses every webchat start.
        let server = try RunningServer(in: dir.path, environment: ["SAFERELAY_SESSION_START_RATE": "0.01"])
        #expect(server.waitUntilListening())
        #expect(try await server.post("/chat/sessions").0 == 429)
        #expect(server.stop() == 0)
        let open = try RunningServer(in: dir.path, arguments: ["--session-start-rate", "1000"])
        #expect(open.waitUntilListening())
        #expect(try await open.post("/chat/sessions").0 == 201)
        #expect(open.stop() == 0)
    }

    @Test func helpExplainsEverySetting() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let help = try SafeRelayBinary.run(["serve", "--help"], in: dir.path)
        #expect(help.status == 0)
        for word in ["--host", "--port", "--data", "--keyring", "--policy", "--public-url", "SAFERELAY_HOST", "SAFERELAY_PORT", "SAFERELAY_DATA", "SAFERELAY_KEYRING", "SAFERELAY_PUBLIC_URL",
            "--inbound-rate", "SAFERELAY_INBOUND_RATE", "--sender-rate", "--session-start-rate", "--client-start-rate", "SAFERELAY_CLIENT_START_RATE",
            "--client-address-header", "SAFERELAY_CLIENT_ADDRESS_HEADER"] {
            #expect(help.stdout.contains(word), "help does not mention \(word)")
        }
    }
}
