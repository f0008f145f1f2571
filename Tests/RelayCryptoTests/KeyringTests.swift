import Foundation
import RelayTestSupport
import Testing

@testable import RelayCrypto

struct KeyringTests {
    @Test func createWritesAnOwnerOnlyFileThatLoadsBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("Keys/saferelay.keyring")
        let keyring = Keyring.generate(now: "2026-11-23T20:00:00Z")
        try KeyringStore.create(keyring, path: path)

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let loaded = try KeyringStore.load(path: path)
        #expect(loaded.currentVersion == 1)
        #expect(loaded.currentKEK.fingerprint == keyring.currentKEK.fingerprint)
        #expect(loaded.blindIndexFingerprint == keyring.blindIndexFingerprint)
        #expect(loaded.auditSigningKey.publicKey == keyring.auditSigningKey.publicKey)
        #expect(loaded.blindIndex(.contactAddress).index("x") == keyring.blindIndex(.contactAddress).index("x"))
    }

    @Test func createRefusesToOverwriteAndChangesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.keyring")
        try KeyringStore.create(.generate(now: "2026-11-23T20:00:00Z"), path: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: KeyringError.alreadyExists(path: path)) {
            try KeyringStore.create(.generate(now: "2026-11-23T21:00:00Z"), path: path)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["saferelay.keyring"])
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o660, 0o666])
    func loadRefusesAKeyringOthersCanRead(mode: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.keyring")
        try KeyringStore.create(.generate(now: "2026-11-23T20:00:00Z"), path: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        #expect {
            try KeyringStore.load(path: path)
        } throws: { error in
            guard case KeyringError.insecurePermissions(_, let found) = error else { return false }
            return Int(found & 0o777) == mode && "\(error)".contains("chmod 600")
        }
    }

    @Test func missingKeyringIsReportedAsNotFound() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: KeyringError.notFound(path: dir.file("none"))) { try KeyringStore.load(path: dir.file("none")) }
    }

    static let secretLooking = "U0VDUkVULVNFQ1JFVC1TRUNSRVQtU0VDUkVULVNFQ1JFVA=="
    static let corruptCases: [(String, Int)] = [
        ("", 0),
        ("hello world\n", 1),
        ("saferelay-keyring 2\n", 1),
        ("saferelay-keyring 1\nkek 1 2026 \(secretLooking)\n", 2),
        ("saferelay-keyring 1\nkek one 2026 AAAA\n", 2),
        ("saferelay-keyring 1\nmystery entry\n", 2),
        ("saferelay-keyring 1\nkek 1 2026 \(String(repeating: "A", count: 43))=\ncurrent-kek 2\n", 0),
    ]

    @Test(arguments: corruptCases)
    func corruptKeyringGivesAClearErrorWithoutEchoingSecrets(content: String, line: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.keyring")
        FileManager.default.createFile(atPath: path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600])
        #expect {
            try KeyringStore.load(path: path)
        } throws: { error in
            guard case KeyringError.corrupt(_, let reportedLine, _) = error else { return false }
            return reportedLine == line && !"\(error)".contains(Self.secretLooking)
        }
        // Nothing was changed by the failed load.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == content)
    }

    /// Fuzz finding (FuzzKeyringFile, input `Fuzz/Corpus/FuzzKeyringFile/regression-created-not-ascii`):
    /// a creation time of invalid UTF-8 was stored with replacement characters, so writing the keyring
    /// (as `keys rotate` does) changed it, and a long one could overrun the writer's buffer.
    @Test func creationTimesMustBeShortVisibleASCII() throws {
        let keys = ["AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=", "ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2A="]
        func keyring(created: [UInt8], kekCreated: [UInt8] = Array("2026-01-01T00:00:00Z".utf8)) -> [UInt8] {
            Array("saferelay-keyring 1\ncreated ".utf8) + created + Array("\nkek 1 ".utf8) + kekCreated
                + Array(" \(keys[0])\ncurrent-kek 1\nblind-index \(keys[1])\naudit-signing \(keys[2])\n".utf8)
        }
        func parse(_ bytes: [UInt8]) throws -> Keyring { try bytes.withUnsafeBytes { try KeyringFile.parse(bytes: $0, source: "test") } }
        let fuzzed: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x37] + Array(repeating: 0xff, count: 11) + [0xda, 0xff, 0xff, 0xff, 0xff, 0x5a]
        for bad in [fuzzed, Array(repeating: UInt8(ascii: "9"), count: 65), [0x00], Array("2026-01-01T00:00:00\u{2028}Z".utf8)] {
            #expect(throws: KeyringError.self) { try parse(keyring(created: bad)) }
            #expect(throws: KeyringError.self) { try parse(keyring(created: Array("2026".utf8), kekCreated: bad)) }
        }
        let longest = Array(repeating: UInt8(ascii: "9"), count: 64)
        let loaded = try parse(keyring(created: longest, kekCreated: longest))
        #expect(loaded.serialisedForTest.contains("created \(String(decoding: longest, as: UTF8.self))\n"))
        #expect(try parse(Array(loaded.serialisedForTest.utf8)).createdAt == loaded.createdAt)
        // The writer has room for any creation time a caller passes.
        let generated = Keyring.generate(now: String(repeating: "x", count: 4096)).rotated(now: String(repeating: "y", count: 4096))
        #expect(generated.serialisedForTest.utf8.count > 8192)
    }

    @Test func truncatedKeyringIsCorrupt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.keyring")
        try KeyringStore.create(.generate(now: "2026-11-23T20:00:00Z"), path: path)
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        try full.prefix(full.count - 20).write(to: URL(fileURLWithPath: path))
        #expect(throws: KeyringError.self) { try KeyringStore.load(path: path) }
    }

    @Test func replaceAfterRotationKeepsEveryVersion() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("saferelay.keyring")
        let original = Keyring.generate(now: "2026-11-23T20:00:00Z")
        try KeyringStore.create(original, path: path)
        try KeyringStore.replace(original.rotated(now: "2026-11-24T20:00:00Z"), path: path)
        let loaded = try KeyringStore.load(path: path)
        #expect(loaded.kekVersions.map(\.version) == [1, 2])
        #expect(loaded.currentVersion == 2)
        #expect(loaded.kek(version: 1)?.fingerprint == original.currentKEK.fingerprint)
        #expect(loaded.blindIndexFingerprint == original.blindIndexFingerprint)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    /// The value's forms. (Reading the variable itself, and clearing it, is tested through the
    /// binary in `KeysCommandTests` and `OperationsHardeningTests`: `setenv` here, in a process
    /// whose other tests start children at the same moment, can crash Foundation's `Process`.)
    @Test func keyringLoadsFromTheEnvironmentAsTextOrBase64() throws {
        let keyring = Keyring.generate(now: "2026-11-23T20:00:00Z")
        let text = keyring.serialisedForTest
        func load(_ value: String) throws -> Keyring? {
            try Array(value.utf8).withUnsafeBytes { try KeyringStore.parseEnvironmentValue($0, name: "SAFERELAY_KEYRING_CONTENT") }
        }
        #expect(try load(text)?.currentKEK.fingerprint == keyring.currentKEK.fingerprint)
        #expect(try load(Data(text.utf8).base64EncodedString())?.blindIndexFingerprint == keyring.blindIndexFingerprint)
        #expect(throws: KeyringError.self) { try load("%%% not a keyring") }
        #expect(try load("") == nil)
    }
}

extension Keyring {
    /// The file text (tests only: it copies secrets into a Swift string).
    var serialisedForTest: String {
        KeyringFile.serialise(self).withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}
