import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RelayChannels
@testable import RelayCore
import RelayCrypto
import RelayServer
import RelayStore
import RelayTestSupport

/// A real relay (a SQLite file, or a PostgreSQL database of its own when `SAFERELAY_TEST_BACKEND`
/// is `postgres`; a keyring; Hummingbird on 127.0.0.1) behind a stand-in Twilio API.
struct RelayTestServer {
    static let accountSID = "AC" + String(repeating: "a", count: 32)
    static let authToken = "test-auth-token-0123456789abcdef"
    static let from = "+15005550006"
    static let publicURL = "https://relay.example.org"
    static let mailDomain = "mail.hotline.example"
    static let mailgunAPIKey = "key-test-0123456789abcdef0123456789"
    static let mailgunSigningKey = "signing-key-test-0123456789abcdef"
    /// What the console sends when an advocate takes a thread from the queue.
    static let claimPurpose = ["X-Access-Purpose": "first_response"]

    let relay: Relay
    let store: any RelayStore
    /// The store as SQLite, for the tests that look at its files (`nil` on PostgreSQL; those tests
    /// are enabled only on SQLite).
    let sqlite: SQLiteStore?
    let clock: ManualClock
    let logs: CapturedLogs
    let twilio: StandInTwilio
    /// The stand-in email provider.
    let mailgun: StandInMailgun
    let directory: TemporaryDirectory
    let client: any TestClientProtocol
    let signer = TwilioSignature(authToken: RelayTestServer.authToken)

    /// Runs `body` with a relay server and a stand-in Twilio, both on loopback, both stopped afterwards.
    /// The product's limits, but one client (every test request comes from 127.0.0.1) may start as
    /// many sessions as it likes; the per-client tests pass ``RateLimits()`` itself.
    static var testLimits: RateLimits {
        var limits = RateLimits()
        limits.perClientStarts = .init(perSecond: 100_000, burst: 100_000)
        limits.perClientResumes = limits.perClientStarts
        limits.perClientLogins = limits.perClientStarts
        limits.staffLogins = limits.perClientStarts
        return limits
    }

    static func run(
        rateLimits: RateLimits = testLimits, settings: RelaySettings? = nil, hashCost: RelaySettings.PhraseHashCost = .minimal,
        configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in },
        writeLockPatience: Duration = .seconds(10),
        instance: SharedInstance? = nil,
        _ body: @escaping @Sendable (RelayTestServer) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let twilio = instance?.twilio ?? StandInTwilio()
        let mailgun = StandInMailgun()
        let logs = CapturedLogs()
        let clock = ManualClock(start: Date())
        let database: TestDatabase?
        let store: any RelayStore
        let sqlite: SQLiteStore?
        switch instance.map({ _ in TestStoreBackend.postgres }) ?? TestStoreBackend.current {
        case .postgres where instance != nil:
            database = nil
            sqlite = nil
            store = try await PostgresStore(
                url: instance!.databaseURL, maximumConnections: 8, writeLockPatience: writeLockPatience,
                connectionPatience: instance!.connectionPatience)
        case .sqlite:
            database = nil
            let file = try SQLiteStore(path: directory.file("data/saferelay.sqlite"), writeLockPatience: writeLockPatience)
            sqlite = file
            store = file
        case .postgres:
            let created = try await TestDatabase.create()
            database = created
            sqlite = nil
            store = try await PostgresStore(url: created.url, maximumConnections: 8, writeLockPatience: writeLockPatience)
        }
        var relaySettings = settings ?? RelaySettings()
        relaySettings.phraseHashCost = hashCost
        let relay = Relay(
            store: store, keyring: instance?.keyring ?? .generate(now: "2026-11-23T20:00:00Z"), clock: clock, settings: relaySettings, logger: logs.logger())
        do {
            try await twilio.run { twilioPort in try await mailgun.run { mailgunPort in
                var configuration = ServerConfiguration(
                    port: 0, publicURL: publicURL, exitURL: "https://weather.example.com/",
                    twilio: TwilioConfiguration(
                        accountSID: accountSID, authToken: authToken, from: from, apiBase: "http://127.0.0.1:\(twilioPort)",
                        statusCallbackURL: publicURL + "/sms/twilio/status"),
                    rateLimits: rateLimits)
                // Streams re-check their session often, so that tests of an ending session are quick.
                configuration.staffStreamRecheck = .milliseconds(200)
                configuration.webchatStreamRecheck = .milliseconds(200)
                // The test's own client keeps one connection, which may sit idle while a browser
                // works on a loaded machine: the server must not close it under the test (a
                // write on it then fails as "I/O on closed channel"). The idle timeout's own
                // tests set theirs.
                configuration.idleTimeout = .seconds(300)
                configuration.mailgun = MailgunConfiguration(
                    domain: Self.mailDomain, apiKey: Self.mailgunAPIKey, signingKey: Self.mailgunSigningKey, apiBase: "http://127.0.0.1:\(mailgunPort)")
                configure(&configuration)
                let app = buildApplication(relay: relay, configuration: configuration, logger: logs.logger(label: "server"))
                try await app.test(.live) { client in
                    try await body(RelayTestServer(
                        relay: relay, store: store, sqlite: sqlite, clock: clock, logs: logs, twilio: twilio, mailgun: mailgun, directory: directory,
                        client: client))
                }
            } }
        } catch {
            try? store.close()
            try? await database?.drop()
            throw error
        }
        try? store.close()
        try await database?.drop()
    }

    /// One of several relay instances on one PostgreSQL database: what they share (the database,
    /// the keyring, the SMS provider); each has its own HTTP server, dispatcher and listener.
    struct SharedInstance: Sendable {
        let databaseURL: String
        let keyring: Keyring
        let twilio: StandInTwilio
        var connectionPatience: Duration = .seconds(5)
    }

    // MARK: - Twilio webhooks

    /// Posts a correctly signed form to a Twilio webhook route.
    @discardableResult
    func postSigned(_ path: String, _ fields: [(String, String)], signature override: String? = nil) async throws -> (HTTPResponse.Status, String) {
        let signature = override ?? signer.signature(url: Self.publicURL + path, parameters: fields)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers[HTTPField.Name("X-Twilio-Signature")!] = signature
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: FormEncoding.encode(fields))) {
            ($0.status, String(buffer: $0.body))
        }
    }

    /// A Twilio inbound SMS webhook.
    @discardableResult
    func inboundSMS(from phone: String, body: String, sid: String) async throws -> (HTTPResponse.Status, String) {
        try await postSigned("/sms/twilio/inbound", [
            ("AccountSid", Self.accountSID), ("MessageSid", sid), ("SmsSid", sid), ("From", phone), ("To", Self.from),
            ("Body", body), ("NumMedia", "0"),
        ])
    }

    /// Waits (bounded) until `condition` holds, for the background outbox dispatcher.
    func eventually(_ what: String, timeout: TimeInterval = 10, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    // MARK: - Webchat

    /// Calls a webchat route with a bearer token and optional JSON body.
    func chat(
        _ method: HTTPRequest.Method, _ path: String, token: String?, json: String? = nil, headers extra: [String: String] = [:]
    ) async throws -> (HTTPResponse.Status, String) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        return try await client.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
            ($0.status, String(buffer: $0.body))
        }
    }

    /// Starts a webchat session and returns its token.
    func startChat() async throws -> String {
        let (status, body) = try await chat(.post, "/chat/sessions", token: nil)
        guard status == .created else { throw TestFailure("session start failed: \(status)") }
        return try JSONDecoder().decode([String: String].self, from: Data(body.utf8))["token"]!
    }
}

/// A test step that could not go on.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension GRDB.Configuration {
    /// For a test's own connection to the server's SQLite file: waits up to ten seconds for the
    /// server's writes instead of failing at once with "database is locked".
    static var patient: GRDB.Configuration {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(10)
        return configuration
    }
}
