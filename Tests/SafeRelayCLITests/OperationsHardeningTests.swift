import Foundation
import RelayCrypto
import RelayTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The operational hardening of `saferelay serve` and `saferelay keys`, through the real binary:
/// secrets leave the process environment, a keyring that does not belong to the database is
/// refused (and none is created beside it), keys cannot be rotated or retired under a running
/// server, an old key version leaves the keyring only once nothing is wrapped under it, the Twilio
/// API base must be https (unless loopback), and a clean stop lets a reply in flight finish.
///
/// Every test waits on a server or subprocess: the suite has a time limit and runs one test at a time.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct OperationsHardeningTests {
    typealias Kill = OutboxKillTests

    /// A Twilio configuration whose API base is a closed loopback port: inbound webhooks are
    /// verified and accepted, and nothing is ever sent (no reply is queued).
    static let twilioEnvironment = [
        "SAFERELAY_TWILIO_ACCOUNT_SID": Kill.accountSID, "SAFERELAY_TWILIO_AUTH_TOKEN": Kill.authToken,
        "SAFERELAY_TWILIO_FROM": "+15005550006", "SAFERELAY_TWILIO_API_BASE": "http://127.0.0.1:9",
        "SAFERELAY_PUBLIC_URL": Kill.publicURL,
    ]

    /// Starts `serve` where it is expected to refuse. `listened` is true if it started listening
    /// anyway (it is then stopped); `status` is its exit status; `output` its stdout and stderr.
    static func refusedServe(in directory: String, arguments: [String] = [], environment: [String: String] = [:]) throws
        -> (listened: Bool, status: Int32?, output: String)
    {
        let server = try RunningServer(in: directory, arguments: arguments, environment: environment)
        let listened = server.waitUntilListening(timeout: 30)
        let status = server.stop()
        return (listened, status, server.log)
    }

    /// Starts a server with the loopback Twilio configuration, takes one signed inbound SMS (so the
    /// database holds a thread key and a contact key wrapped under the current version), stops it.
    static func seed(_ directory: String, sid: String = "SM" + String(repeating: "5", count: 32)) async throws {
        let server = try RunningServer(in: directory, environment: twilioEnvironment)
        #expect(server.waitUntilListening(), "\(server.log)")
        #expect(try await Kill.inboundSMS(server.port, from: "+12025550600", body: "seed message", sid: sid) == 200)
        #expect(server.stop() == 0)
    }

    /// `keys status` lines for KEK versions: version → how many data keys it wraps.
    static func wrappedCounts(_ status: String) -> [UInt32: Int] {
        var counts: [UInt32: Int] = [:]
        for line in status.split(separator: "\n") where line.hasPrefix("  v") {
            let fields = line.split(separator: " ")
            guard let version = UInt32(fields[0].dropFirst()), let wraps = fields.firstIndex(of: "wraps"), wraps + 1 < fields.count,
                let count = Int(fields[wraps + 1])
            else { continue }
            counts[version] = count
        }
        return counts
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    // MARK: 1. Secrets leave the environment

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/environ"), "reads /proc/PID/environ (Linux)"))
    func secretsPassedInTheEnvironmentAreGoneFromProcEnvironOnceServing() async throws {
        let source = try TemporaryDirectory()
        defer { source.remove() }
        #expect(try SafeRelayBinary.run(["keys", "init"], in: source.path).status == 0)
        let keyringText = try String(contentsOfFile: source.file("Keys/saferelay.keyring"), encoding: .utf8)
        let keyringSecrets = try KeysCommandTests.secretFields(source.file("Keys/saferelay.keyring"))
        #expect(keyringSecrets.count >= 3)

        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // The token the signed webhook below is signed with (it must still verify once cleared).
        let authToken = Kill.authToken
        let metricsToken = "environ-metrics-token-7d2e9b4a1c6f3e8d0a5b2c7e"
        var environment = Self.twilioEnvironment
        environment["SAFERELAY_TWILIO_AUTH_TOKEN"] = authToken
        environment["SAFERELAY_METRICS_TOKEN"] = metricsToken
        environment["SAFERELAY_KEYRING_CONTENT"] = keyringText
        let server = try RunningServer(in: dir.path, environment: environment)
        defer { _ = server.stop() }
        #expect(server.waitUntilListening(), "\(server.log)")

        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(server.pid)/environ"))
        let text = String(decoding: environ, as: UTF8.self)
        // It is the server's environment (the non-secret settings are still there)...
        #expect(text.contains("SAFERELAY_TWILIO_FROM=+15005550006"))
        // ...without the secrets' values.
        for secret in [authToken, metricsToken] + keyringSecrets {
            #expect(!text.contains(secret), "a secret is still in /proc/PID/environ")
        }
        let keyringLine = try #require(keyringText.split(separator: "\n").first { $0.count >= 40 })
        #expect(!text.contains(keyringLine))
        for entry in environ.split(separator: 0).map({ String(decoding: $0, as: UTF8.self) }) {
            for name in ["SAFERELAY_TWILIO_AUTH_TOKEN=", "SAFERELAY_METRICS_TOKEN=", "SAFERELAY_KEYRING_CONTENT="] where entry.hasPrefix(name) {
                #expect(entry == name, "\(name) still has a value")
            }
        }
        // Nothing is written beside it: the keyring came from the environment.
        #expect(!FileManager.default.fileExists(atPath: dir.file("Keys/saferelay.keyring")))

        // And the server works with what it read.
        #expect(try await server.get("/healthz").0 == 200)
        let (scraped, metrics) = try await Kill.request(server.port, "GET", "/metrics", token: metricsToken)
        #expect(scraped == 200)
        #expect(!metrics.isEmpty)
        #expect(try await Kill.request(server.port, "GET", "/metrics").0 == 404)
        #expect(try await Kill.request(server.port, "GET", "/metrics", token: String(metricsToken.reversed())).0 == 404)
        #expect(try await Kill.inboundSMS(server.port, from: "+12025550601", body: "hello", sid: "SM" + String(repeating: "6", count: 32)) == 200)
        #expect(server.stop() == 0)
    }

    // MARK: 2. A mistyped keyring path

    @Test func aMissingKeyringBesideAnExistingDatabaseIsRefusedAndNotCreated() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try SafeRelayBinary.run(["keys", "init"], in: dir.path).status == 0)
        let first = try RunningServer(in: dir.path)
        #expect(first.waitUntilListening())
        #expect(first.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: dir.file("data/saferelay.sqlite")))

        let refused = try Self.refusedServe(in: dir.path, arguments: ["--keyring", "other/missing.keyring"])
        #expect(!refused.listened, "serve started with a missing keyring beside a database")
        #expect(refused.status == 66, "\(refused.output)")
        #expect(refused.output.contains("other/missing.keyring"))
        #expect(!refused.output.contains("listening"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("other/missing.keyring")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("other")))
    }

    // MARK: 3. A keyring that does not open the database

    @Test func aKeyringThatDoesNotOpenTheDatabaseIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(try SafeRelayBinary.run(["keys", "init"], in: dir.path).status == 0)
        try await Self.seed(dir.path)
        #expect(try SafeRelayBinary.run(["keys", "init", "--keyring", "Elsewhere/another.keyring"], in: dir.path).status == 0)
        let databaseBefore = try Self.bytes(dir.file("data/saferelay.sqlite"))

        let refused = try Self.refusedServe(in: dir.path, arguments: ["--keyring", "Elsewhere/another.keyring"], environment: Self.twilioEnvironment)
        #expect(!refused.listened, "serve started with a keyring that opens nothing in its database")
        #expect(refused.status == 78, "\(refused.output)")
        #expect(refused.output.contains("keyring"))
        #expect(refused.output.contains("not the keyring of this database"))
        for secret in try KeysCommandTests.secretFields(dir.file("Elsewhere/another.keyring"))
            + KeysCommandTests.secretFields(dir.file("Keys/saferelay.keyring"))
        {
            #expect(!refused.output.contains(secret))
        }
        #expect(try Self.bytes(dir.file("data/saferelay.sqlite")) == databaseBefore)

        // The right keyring still opens it.
        let server = try RunningServer(in: dir.path, environment: Self.twilioEnvironment)
        #expect(server.waitUntilListening(), "\(server.log)")
        #expect(try await server.get("/healthz").0 == 200)
        #expect(server.stop() == 0)
    }

    // MARK: 4. Rotate and retire: never under a running server; retire only what nothing needs

    @Test func keysRotateAndRetireRefuseWhileServingAndAnOldKeyringCopyNoLongerOpensTheDatabase() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let keyringPath = dir.file("Keys/saferelay.keyring")
        #expect(try SafeRelayBinary.run(["keys", "init"], in: dir.path).status == 0)
        try await Self.seed(dir.path)
        let statusBefore = try SafeRelayBinary.run(["keys", "status"], in: dir.path)
        #expect(statusBefore.status == 0)
        #expect(statusBefore.stdout.contains("current: v1"))
        let seeded = Self.wrappedCounts(statusBefore.stdout)[1] ?? 0
        #expect(seeded >= 2, "\(statusBefore.stdout)")
        // A copy of the keyring from before the rotation (an old backup): only v1.
        let beforeRotation = try Self.bytes(keyringPath)
        let oldCopy = dir.file("Keys/before-rotation.keyring")
        #expect(FileManager.default.createFile(atPath: oldCopy, contents: beforeRotation, attributes: [.posixPermissions: 0o600]))

        // Under a running server, rotate refuses and touches nothing.
        let running = try RunningServer(in: dir.path, environment: Self.twilioEnvironment)
        #expect(running.waitUntilListening(), "\(running.log)")
        let refusedRotate = try SafeRelayBinary.run(["keys", "rotate"], in: dir.path)
        #expect(refusedRotate.status == 75, "\(refusedRotate.stdout)\(refusedRotate.stderr)")
        #expect(refusedRotate.stderr.contains("stop it"))
        #expect(try Self.bytes(keyringPath) == beforeRotation)
        #expect(running.stop() == 0)
        let statusAfterRefusal = try SafeRelayBinary.run(["keys", "status"], in: dir.path)
        #expect(statusAfterRefusal.stdout == statusBefore.stdout, "the refused rotation changed the keyring or the database")

        // Stopped: rotate goes through and rewraps every key under v2.
        let rotated = try SafeRelayBinary.run(["keys", "rotate"], in: dir.path)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains("added key-encryption key v2"))
        #expect(rotated.stdout.contains("rewrapped \(seeded) data keys under v2"))
        let afterRotation = try Self.bytes(keyringPath)

        // Under a running server, retire refuses too (v1 wraps nothing now: only the server is in the way).
        let again = try RunningServer(in: dir.path, environment: Self.twilioEnvironment)
        #expect(again.waitUntilListening(), "\(again.log)")
        #expect(try await again.get("/healthz").0 == 200)
        let refusedRetire = try SafeRelayBinary.run(["keys", "retire", "1"], in: dir.path)
        #expect(refusedRetire.status == 75, "\(refusedRetire.stdout)\(refusedRetire.stderr)")
        #expect(try Self.bytes(keyringPath) == afterRotation)
        #expect(again.stop() == 0)

        // The current version cannot be retired.
        let current = try SafeRelayBinary.run(["keys", "retire", "2"], in: dir.path)
        #expect(current.status != 0)
        #expect(current.stderr.contains("current"))
        #expect(try Self.bytes(keyringPath) == afterRotation)

        // The old one can.
        let retired = try SafeRelayBinary.run(["keys", "retire", "1"], in: dir.path)
        #expect(retired.status == 0, "\(retired.stderr)")
        #expect(retired.stdout.contains("retired key-encryption key v1"))
        let status = try SafeRelayBinary.run(["keys", "status"], in: dir.path)
        #expect(status.stdout.contains("current: v2"))
        #expect(Self.wrappedCounts(status.stdout) == [2: seeded], "\(status.stdout)")
        #expect(!status.stdout.split(separator: "\n").contains(where: { $0.hasPrefix("  v1 ") }))

        // The copy from before the rotation opens nothing here any more: serve refuses it.
        let refused = try Self.refusedServe(in: dir.path, arguments: ["--keyring", "Keys/before-rotation.keyring"], environment: Self.twilioEnvironment)
        #expect(!refused.listened, "serve started with a keyring that lacks the database's key version")
        #expect(refused.status == 78, "\(refused.output)")
        #expect(refused.output.contains("keyring"))

        // The current keyring serves.
        let server = try RunningServer(in: dir.path, environment: Self.twilioEnvironment)
        #expect(server.waitUntilListening(), "\(server.log)")
        #expect(try await server.get("/healthz").0 == 200)
        #expect(server.stop() == 0)
    }

    // MARK: 7. Retire refuses a version that still wraps keys (through the binary)

    /// `Relay.checkRetirable(version:)` through `keys retire`: after a rotation that wrote the new
    /// keyring but rewrapped nothing (as an interrupted `keys rotate` leaves it), v1 still wraps
    /// the data keys and cannot be retired; after `keys rotate --resume` (rewrapAllKeys) it can.
    @Test func retireRefusesAVersionThatStillWrapsKeysUntilTheyAreRewrapped() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let keyringPath = dir.file("Keys/saferelay.keyring")
        #expect(try SafeRelayBinary.run(["keys", "init"], in: dir.path).status == 0)
        try await Self.seed(dir.path)
        let seeded = Self.wrappedCounts(try SafeRelayBinary.run(["keys", "status"], in: dir.path).stdout)[1] ?? 0
        #expect(seeded >= 2)

        // The keyring gains v2 (current) with nothing rewrapped.
        let rotated = try KeyringStore.load(path: keyringPath).rotated(now: "2026-12-01T00:00:00Z")
        try KeyringStore.replace(rotated, path: keyringPath)
        let status = try SafeRelayBinary.run(["keys", "status"], in: dir.path)
        #expect(status.stdout.contains("current: v2"))
        #expect(Self.wrappedCounts(status.stdout) == [1: seeded, 2: 0], "\(status.stdout)")
        let before = try Self.bytes(keyringPath)

        let refused = try SafeRelayBinary.run(["keys", "retire", "1"], in: dir.path)
        #expect(refused.status == 65, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("v1 still wraps \(seeded) data key(s)"))
        #expect(try Self.bytes(keyringPath) == before)

        let resumed = try SafeRelayBinary.run(["keys", "rotate", "--resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("rewrapped \(seeded) data keys under v2"))

        let retired = try SafeRelayBinary.run(["keys", "retire", "1"], in: dir.path)
        #expect(retired.status == 0, "\(retired.stderr)")
        #expect(Self.wrappedCounts(try SafeRelayBinary.run(["keys", "status"], in: dir.path).stdout) == [2: seeded])
        // A version the keyring does not have is a usage error.
        #expect(try SafeRelayBinary.run(["keys", "retire", "1"], in: dir.path).status == 64)
    }

    // MARK: 5. The Twilio API base

    @Test func aTwilioAPIBaseInClearIsRefusedUnlessLoopback() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var environment = Self.twilioEnvironment
        environment["SAFERELAY_TWILIO_API_BASE"] = "http://api.example.com"
        let refused = try Self.refusedServe(in: dir.path, environment: environment)
        #expect(!refused.listened, "serve started with an http:// Twilio API base")
        #expect(refused.status == 78, "\(refused.output)")
        #expect(refused.output.contains("SAFERELAY_TWILIO_API_BASE"))
        #expect(refused.output.contains("https"))
        #expect(!refused.output.contains(Kill.authToken))

        environment["SAFERELAY_TWILIO_API_BASE"] = "http://127.0.0.1:9"
        let server = try RunningServer(in: dir.path, environment: environment)
        #expect(server.waitUntilListening(), "\(server.log)")
        #expect(try await server.get("/healthz").0 == 200)
        #expect(server.stop() == 0)
    }

    // MARK: 6. A clean stop lets a reply in flight finish

    /// The level of a `StreamLogHandler` line (`TIMESTAMP LEVEL LABEL: …`), or of a CLI failure
    /// line (`saferelay: error: …`).
    static func level(_ line: Substring) -> String? {
        if line.hasPrefix("saferelay: error:") { return "error" }
        let fields = line.split(separator: " ", maxSplits: 2)
        return fields.count >= 2 ? String(fields[1]) : nil
    }

    @Test func aReplyInFlightAtACleanStopFinishesIsRecordedSentAndIsNotSentAgain() async throws {
        // The provider holds each request two seconds until released.
        try await Kill.withKeysAndProvider(holding: .seconds(2)) { dir, provider, environment in
            let first = try RunningServer(in: dir.path, environment: environment)
            #expect(first.waitUntilListening(), "\(first.log)")
            let (totp, thread) = try await Kill.replyToAnInboundSMS(
                on: first, in: dir.path, from: "+12025550700", body: "is anyone there", sid: "SM" + String(repeating: "7", count: 32),
                reply: "STOP-CANARY we are here")

            // The provider has the request and holds it for two seconds; the server is told to stop meanwhile.
            #expect(try await Kill.eventually { await provider.received.count == 1 })
            let stoppedAt = Date()
            #expect(first.stop(signal: SIGTERM, timeout: 30) == 0, "\(first.log)")
            // It waited for the provider's answer (held two seconds from before the signal).
            #expect(Date().timeIntervalSince(stoppedAt) >= 1)
            let firstLog = first.log

            // Its log: nothing at error or critical; the outcome recorded before the store closed, and
            // nothing from the dispatcher or scheduler after it.
            let lines = firstLog.split(separator: "\n")
            let failures = lines.filter { ["error", "critical"].contains(Self.level($0)) }
            #expect(failures.isEmpty, "\(failures)")
            let closed = try #require(lines.lastIndex { $0.contains("store closed") }, "\(firstLog)")
            let recorded = lines.firstIndex { $0.contains("outbox attempt recorded") && $0.contains("outbox.state=sent") }
            #expect(recorded.map { $0 < closed } == true, "\(firstLog)")
            let after = lines[(closed + 1)...]
            #expect(!after.contains(where: { $0.contains("[RelayChannels]") || $0.contains("outbox") || $0.contains("scheduler") || $0.contains("scheduled") }),
                "\(firstLog)")
            #expect(after.allSatisfy({ $0.hasSuffix(" stopped") }), "\(Array(after))")

            await provider.release()
            let second = try RunningServer(in: dir.path, environment: environment)
            #expect(second.waitUntilListening(), "\(second.log)")
            // Several dispatcher polls (every 200 ms) pass: the reply must not go out again.
            try await Task.sleep(for: .seconds(2))
            let again = try await Kill.login(second.port, totp: totp, step: 1)
            let (_, view) = try await Kill.request(second.port, "GET", "/api/v1/threads/\(thread)", token: again)
            #expect(view.contains("STOP-CANARY we are here"))
            // An accepted send is recorded `sent` (Relay+Outbox.swift); never `unknown`.
            #expect(view.contains(#""delivery":"sent""#), "\(view)")
            #expect(!view.contains(#""delivery":"unknown""#))
            #expect(await provider.received.count == 1)
            #expect(await provider.received.first?.form.contains("STOP-CANARY") == true)
            #expect(second.stop() == 0)
        }
    }
}
