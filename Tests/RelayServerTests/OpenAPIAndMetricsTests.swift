import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import RelayCore
import RelayCrypto
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct OpenAPIAndMetricsTests {
    static let scrapeToken = "test-scrape-token-0123456789abcdefghij"

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteStore(path: dir.file("saferelay.sqlite"))
        defer { try? store.close() }
        let relay = Relay(store: store, keyring: .generateForTest(), logger: CapturedLogs().logger())
        let router = buildRouter(relay: relay, configuration: ServerConfiguration(port: 0), answeringOtherMethods: false)
        let served = Set(router.routes.map { route -> String in
            let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method.rawValue.lowercased()) /\(path)"
        })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
        #expect(served.subtracting(documented).isEmpty, "undocumented routes: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }

    @Test func metricsCarryRouteTemplatesAndNoPersonalData() async throws {
        try await RelayTestServer.run(configure: { $0.metricsToken = Self.scrapeToken }) { server in
            _ = try await server.inboundSMS(from: "+12025550100", body: "CANARY-METRICS", sid: "SM" + String(format: "%032x", 1))
            let token = try await server.startChat()
            _ = try await server.chat(.get, "/chat/messages", token: token)
            _ = try await server.chat(.get, "/api/v1/threads/\(String(repeating: "a", count: 32))", token: token)
            _ = try await server.chat(.get, "/nowhere/\(String(repeating: "b", count: 32))", token: nil)
            // Without the scrape token (or with another), nothing says a scrape endpoint is here.
            #expect(try await server.chat(.get, "/metrics", token: nil).0 == .notFound)
            #expect(try await server.chat(.get, "/metrics", token: Self.scrapeToken + "x").0 == .notFound)
            #expect(try await server.chat(.get, "/metrics", token: token).0 == .notFound)
            let (status, body) = try await server.chat(.get, "/metrics", token: Self.scrapeToken)
            #expect(status == .ok)
            #expect(body.contains(#"saferelay_http_requests_total{route="/chat/messages",method="GET",status="200"}"#))
            #expect(body.contains("saferelay_queue_waiting_threads 1"))
            #expect(body.contains(#"route="/api/v1/threads/{id}""#) || body.contains(#"route="/api/v1/threads/:id""#))
            // Latency as a Prometheus histogram with buckets, under the same labels; an unknown path is one label.
            #expect(body.contains("# TYPE saferelay_http_request_duration_seconds histogram"))
            #expect(body.contains(#"saferelay_http_request_duration_seconds_bucket{route="/chat/messages",method="GET",status="200",le="#))
            #expect(body.contains(#"route="NotFound""#) && !body.contains("nowhere"))
            for secret in ["CANARY-METRICS", "2025550100", token, String(repeating: "a", count: 32), String(repeating: "b", count: 32)] {
                #expect(!body.contains(secret))
            }
            let (_, openapi) = try await server.chat(.get, "/openapi.json", token: nil)
            #expect(openapi.contains(#""openapi": "3.1.0""#))
        }
    }

    @Test func advocatesGetLiveEventsWithIdsOnlyAndTransfersWork() async throws {
        try await RelayTestServer.run { server in
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let ben = try await StaffAPITests.staff(server, "ben", .advocate)
            let compliance = try await StaffAPITests.staff(server, "cora", .compliance)
            #expect(try await server.chat(.get, "/api/v1/events", token: compliance).0 == .forbidden)
            let stream = try await LiveStream.open(port: server.client.port!, token: ana, path: "/api/v1/events")
            let thread = try await StaffAPITests.smsThread(server, "+12025550100", "CANARY-LIVE", sid: 1)
            let frame = try await stream.next(containing: "event: thread.message")
            #expect(frame.contains(thread) && !frame.contains("CANARY-LIVE"))
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: ana, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await stream.next(containing: "event: queue.changed").contains(thread))
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/transfer", token: ben, json: #"{"to":"ben"}"#).0 == .forbidden)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/transfer", token: ana, json: #"{"to":"nobody"}"#).0 == .badRequest)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/transfer", token: ana, json: #"{"to":"ben"}"#).0 == .noContent)
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: ben).0 == .ok)
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: ana).0 == .forbidden)
            await stream.close()
        }
    }
}
