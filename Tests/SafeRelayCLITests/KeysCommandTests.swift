import Foundation
import RelayTestSupport
import Testing

/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct KeysCommandTests {
    @Test func initCreatesAnOwnerOnlyKeyringAndRefusesToOverwriteIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let created = try SafeRelayBinary.run(["keys", "init"], in: dir.path)
        #expect(created.status == 0)
        #expect(created.stdout.contains("fingerprint"))
        let path = dir.file("Keys/saferelay.keyring")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let again = try SafeRelayBinary.run(["keys", "init"], in: dir.path)
        #expect(again.status == 73)
        #expect(again.stderr.contains("refusing to overwrite"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func rotateAndRetireRefuseAFolderWithoutADatabase() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try SafeRelayBinary.run(["keys", "init"], in: dir.path)
        let keyring = try Data(contentsOf: URL(fileURLWithPath: dir.file("Keys/saferelay.keyring")))
        // A mistyped --data must not get an empty database that wraps nothing, from which an old key
        // could then be retired out from under the real one.
        for command in [["keys", "rotate", "--data", "typo"], ["keys", "retire", "1", "--data", "typo"]] {
            let result = try SafeRelayBinary.run(command, in: dir.path)
            #expect(result.status == 66 && result.stderr.contains("no database"), "\(command): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("typo")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("Keys/saferelay.keyring"))) == keyring)
    }

    @Test func statusShowsVersionsAndFingerprintsButNoSecret() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try SafeRelayBinary.run(["keys", "init"], in: dir.path)
        let status = try SafeRelayBinary.run(["keys", "status"], in: dir.path)
        #expect(status.status == 0)
        #expect(status.stdout.contains("v1"))
        #expect(status.stdout.contains("[current]"))
        for secret in try Self.secretFields(dir.file("Keys/saferelay.keyring")) {
            #expect(!status.stdout.contains(secret) && !status.stderr.contains(secret))
        }
    }

    @Test func corruptKeyringGivesAClearErrorAndANonZeroExitAndIsLeftAlone() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try SafeRelayBinary.run(["keys", "init"], in: dir.path)
        let path = dir.file("Keys/saferelay.keyring")
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "current-kek 1", with: "current-kek banana")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        for command in [["keys", "status"], ["keys", "rotate"], ["serve", "--port", "0"]] {
            let result = try SafeRelayBinary.run(command, in: dir.path)
            #expect(result.status == 65, "\(command)")
            #expect(result.stderr.contains("corrupt at line"), "\(command)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        }
    }

    @Test func wrongModeIsRefusedByEveryCommandThatReadsTheKeyring() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try SafeRelayBinary.run(["keys", "init"], in: dir.path)
        chmod(dir.file("Keys/saferelay.keyring"), 0o640)
        for command in [["keys", "status"], ["keys", "rotate"]] {
            let result = try SafeRelayBinary.run(command, in: dir.path)
            #expect(result.status == 77)
            #expect(result.stderr.contains("mode 640"))
        }
    }

    @Test func rotateAddsAVersionAndRewrapsKeysAndStatusCountsThem() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try SafeRelayBinary.run(["keys", "init"], in: dir.path)
        // Start and stop the server once so the database exists.
        let server = try RunningServer(in: dir.path)
        #expect(server.waitUntilListening())
        #expect(server.stop() == 0)

        let rotated = try SafeRelayBinary.run(["keys", "rotate"], in: dir.path)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains("added key-encryption key v2"))
        let status = try SafeRelayBinary.run(["keys", "status"], in: dir.path)
        #expect(status.stdout.contains("current: v2"))
        #expect(status.stdout.contains("v1"))
        let resumed = try SafeRelayBinary.run(["keys", "rotate", "--resume"], in: dir.path)
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("rewrapped 0 data keys under v2"))
    }

    @Test func theKeyringCanComeFromTheEnvironment() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try SafeRelayBinary.run(["keys", "init"], in: dir.path)
        let text = try String(contentsOfFile: dir.file("Keys/saferelay.keyring"), encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir.file("Keys"))
        let status = try SafeRelayBinary.run(["keys", "status"], in: dir.path, environment: ["SAFERELAY_KEYRING_CONTENT": text])
        #expect(status.status == 0)
        #expect(status.stdout.contains("source $SAFERELAY_KEYRING_CONTENT"))
        let rotate = try SafeRelayBinary.run(["keys", "rotate"], in: dir.path, environment: ["SAFERELAY_KEYRING_CONTENT": text])
        #expect(rotate.status == 78)
        #expect(!rotate.stderr.contains(text))
    }

    /// The base64 secret fields of a keyring file.
    static func secretFields(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard let last = fields.last, last.count >= 40, !line.hasPrefix("#") else { return nil }
            return String(last)
        }
    }
}
