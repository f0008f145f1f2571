import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
@testable import RelayCore
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// Invariant 9 with nothing but the role check in the way: compliance and admin accounts get the
/// strongest request that looks legitimate — the thread assigned to them, a purpose given, a valid
/// body — on every route that shows or changes content, and each still answers 403 with no content.
@Suite(.timeLimit(.minutes(3)))
struct RoleGuardTests {
    /// The status of a request without waiting for its body (an event stream never ends).
    static func statusOnly(port: Int, path: String, token: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "X-Access-Purpose", value: "other: court-ordered review")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return Int(response.status.code)
    }

    @Test func oversightRolesNeverReachContentEvenWhenOnlyTheRoleCheckStandsInTheWay() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let tokens = [
                ("compliance", try await StaffAPITests.staff(server, "cora", .compliance)),
                ("admin", try await StaffAPITests.staff(server, "adam", .admin)),
            ]
            let thread = try await StaffAPITests.smsThread(server, "+12025550190", "CANARY-GUARD words", sid: 1)
            // Some content in the case record and an earlier reply, so that a leak would show.
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/case/notes", token: advocate, json: #"{"text":"CANARY-GUARD note"}"#).0 == .ok)
            let accounts = try await server.relay.staff.accounts()
            let purpose = ["X-Access-Purpose": "other: court-ordered review"]
            for (role, token) in tokens {
                // Assigned to them directly in the store: no assignment check can be what refuses.
                let accountID = try #require(accounts.first { $0.role.rawValue == role }?.id)
                try await server.store.write { try await $0.assign(threadID: thread, to: accountID) }
                let requests: [(String, HTTPRequest.Method, String, String?)] = [
                    ("view", .get, "/api/v1/threads/\(thread)", nil),
                    ("reply", .post, "/api/v1/threads/\(thread)/replies", #"{"text":"hello","override_reason":"review"}"#),
                    ("note", .post, "/api/v1/threads/\(thread)/case/notes", #"{"text":"n"}"#),
                    ("referral", .post, "/api/v1/threads/\(thread)/case/referrals", #"{"to":"Legal aid","outcome":"unknown"}"#),
                    ("safety", .put, "/api/v1/threads/\(thread)/case/safety", #"{"phone_may_be_monitored":false,"do_not_contact":false}"#),
                    ("tags", .put, "/api/v1/threads/\(thread)/case/tags", #"{"tags":[]}"#),
                    ("claim", .post, "/api/v1/threads/\(thread)/claim", nil),
                    ("close", .post, "/api/v1/threads/\(thread)/close", nil),
                    ("queue", .get, "/api/v1/queue", nil),
                ]
                for (name, method, path, json) in requests {
                    let (status, body) = try await server.chat(method, path, token: token, json: json, headers: purpose)
                    #expect(status == .forbidden, "\(role) \(name): \(status)")
                    #expect(!body.contains("CANARY-GUARD"), "\(role) \(name) leaked content")
                }
                #expect(try await Self.statusOnly(port: server.client.port!, path: "/api/v1/events", token: token) == 403, "\(role) events")
            }
            // Nothing they tried changed anything: no reply, no note, no new assignment by them.
            try await server.store.write { try await $0.assign(threadID: thread, to: nil) }
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: advocate)
            #expect(!view.contains(#""from":"advocate""#) && !view.contains(#""text":"n""#))
        }
    }
}
