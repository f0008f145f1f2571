import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import RelayCore
import RelayCrypto
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct HealthRoutesTests {
    /// A real relay over a real SQLite file.
    static func withApplication(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteStore(path: dir.file("data/saferelay.sqlite"))
        let relay = Relay(store: store, keyring: .generate(now: "2026-11-23T20:00:00Z"), logger: CapturedLogs().logger())
        let app = buildApplication(relay: relay, configuration: ServerConfiguration(port: 0), logger: CapturedLogs().logger())
        try await app.test(.live) { client in try await body(client) }
    }

    @Test func healthzAnswersOKWithPrivacyHeaders() async throws {
        try await Self.withApplication { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            }
        }
    }

    @Test func unknownRoutesAnswerTheJSONErrorEnvelope() async throws {
        try await Self.withApplication { client in
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: String]
                #expect(body?["error"] == "not_found")
                #expect(body?["message"] != nil)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            try await client.execute(uri: "/healthz", method: .delete) { response in
                #expect([.notFound, .methodNotAllowed].contains(response.status))
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test func healthzReportsAClosedStoreAsUnavailable() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteStore(path: dir.file("data/saferelay.sqlite"))
        let relay = Relay(store: store, keyring: .generate(now: "2026-11-23T20:00:00Z"), logger: CapturedLogs().logger())
        let router = buildRouter(relay: relay, configuration: ServerConfiguration(port: 0))
        let app = Application(router: router, logger: CapturedLogs().logger())
        try store.close()
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains(#""error":"unavailable""#))
            }
        }
    }
}
