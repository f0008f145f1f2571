import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RelayCore
import RelayModel
import RelayServer
import RelayStore
import Testing

/// The thread view says whether a reply can go out (`reply_refusal`) by the same rule sending
/// applies: the console never offers Send where the outbox then refuses, nor hides it where a reply
/// would go. And `first_response` is only a purpose while nobody has the thread.
@Suite(.timeLimit(.minutes(5)))
struct ReplyGateTests {
    struct Answer: Decodable {
        let reply_refusal: String?
        let reply_window_closes_at: String?
        let text_needs_override: Bool
    }

    /// What the view promised, then what sending answered (its error code, or nil when sent).
    static func promiseAndOutcome(_ server: RelayTestServer, _ thread: String, token: String) async throws -> (String?, String?) {
        let (status, body) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: token)
        guard status == .ok else { throw TestFailure("view answered \(status)") }
        let promise = try JSONDecoder().decode(Answer.self, from: Data(body.utf8)).reply_refusal
        let (sent, answer) = try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: token, json: #"{"text":"GATE-CHECK"}"#)
        if sent == .created { return (promise, nil) }
        let code = try JSONDecoder().decode([String: String].self, from: Data(answer.utf8))["error"]
        return (promise, code ?? "status \(sent.code)")
    }

    @Test func theViewSaysWhatSendingWouldAnswerInEverySituation() async throws {
        try await RelayTestServer.run { server in
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            func claimed(_ thread: String) async throws -> String {
                #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: ana, headers: RelayTestServer.claimPurpose).0 == .noContent)
                return thread
            }
            // SMS inside the window: both say yes; the window's end is given.
            let open = try await claimed(try await StaffAPITests.smsThread(server, "+12025550180", "GATE open", sid: 1))
            let (_, openView) = try await server.chat(.get, "/api/v1/threads/\(open)", token: ana)
            #expect(try JSONDecoder().decode(Answer.self, from: Data(openView.utf8)).reply_window_closes_at != nil)
            #expect(try await Self.promiseAndOutcome(server, open, token: ana) == (nil, nil))
            // Do-not-contact.
            let flagged = try await claimed(try await StaffAPITests.smsThread(server, "+12025550181", "GATE dnc", sid: 2))
            #expect(try await server.chat(
                .put, "/api/v1/threads/\(flagged)/case/safety", token: ana, json: #"{"phone_may_be_monitored":false,"do_not_contact":true}"#).0 == .ok)
            #expect(try await Self.promiseAndOutcome(server, flagged, token: ana) == ("do_not_contact", "do_not_contact"))
            // Opted out (STOP).
            let stopped = try await claimed(try await StaffAPITests.smsThread(server, "+12025550182", "GATE stop", sid: 3))
            #expect(try await server.inboundSMS(from: "+12025550182", body: "STOP", sid: "SMgatestop0001").0 == .ok)
            #expect(try await Self.promiseAndOutcome(server, stopped, token: ana) == ("opted_out", "opted_out"))
            // A monitored phone: not a refusal in the view (the advocate may give a reason), but
            // flagged, and sending without the reason is refused.
            let monitored = try await claimed(try await StaffAPITests.smsThread(server, "+12025550183", "GATE monitored", sid: 4))
            #expect(try await server.chat(
                .put, "/api/v1/threads/\(monitored)/case/safety", token: ana, json: #"{"phone_may_be_monitored":true,"do_not_contact":false}"#).0 == .ok)
            let (_, monitoredView) = try await server.chat(.get, "/api/v1/threads/\(monitored)", token: ana)
            #expect(try JSONDecoder().decode(Answer.self, from: Data(monitoredView.utf8)).text_needs_override)
            #expect(try await Self.promiseAndOutcome(server, monitored, token: ana) == (nil, "safety_override_required"))
            // Webchat with the survivor's page open: yes, and no SMS window.
            let token = try await server.startChat()
            #expect(try await server.chat(
                .post, "/chat/messages", token: token, json: #"{"text":"GATE chat"}"#, headers: ["Idempotency-Key": "gate-chat-0001"]).0 == .created)
            let chat = try #require(try await server.store.read { reader in
                try await reader.openThreads(limit: 20).first { $0.channel == .webchat }?.id
            })
            _ = try await claimed(chat)
            let (_, chatView) = try await server.chat(.get, "/api/v1/threads/\(chat)", token: ana)
            #expect(try JSONDecoder().decode(Answer.self, from: Data(chatView.utf8)).reply_window_closes_at == nil)
            #expect(try await Self.promiseAndOutcome(server, chat, token: ana) == (nil, nil))
            // The survivor left by quick exit: a reply would not reach them, and the view says so
            // before anything is typed (the console used to offer Send here).
            #expect(try await server.chat(.post, "/chat/exit", token: token).0 == .noContent)
            #expect(try await Self.promiseAndOutcome(server, chat, token: ana) == ("window_closed", "window_closed"))
            // Twenty minutes on, the SMS window has closed as well.
            server.clock.advance(by: 20 * 60)
            #expect(try await Self.promiseAndOutcome(server, open, token: ana) == ("window_closed", "window_closed"))
        }
    }

    @Test func firstResponseIsNotAPurposeForAThreadSomeoneElseTook() async throws {
        try await RelayTestServer.run { server in
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let ben = try await StaffAPITests.staff(server, "ben", .advocate)
            let sam = try await StaffAPITests.staff(server, "sam", .supervisor)
            let compliance = try await StaffAPITests.staff(server, "cora", .compliance)
            let thread = try await StaffAPITests.smsThread(server, "+12025550190", "CANARY-FIRST-RESPONSE", sid: 1)
            // Unassigned: opening it as a first response is what the console does from the queue.
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: ben, headers: RelayTestServer.claimPurpose).0 == .ok)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: ana, headers: RelayTestServer.claimPurpose).0 == .noContent)
            // Ana has it now: Ben's console, still holding "first_response", is refused and shown nothing.
            let (status, body) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: ben, headers: RelayTestServer.claimPurpose)
            #expect(status == .conflict && body.contains("purpose_does_not_fit") && !body.contains("CANARY-FIRST-RESPONSE"))
            let (noteStatus, _) = try await server.chat(
                .post, "/api/v1/threads/\(thread)/case/notes", token: sam, json: #"{"text":"n"}"#, headers: RelayTestServer.claimPurpose)
            #expect(noteStatus == .conflict)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: sam, headers: RelayTestServer.claimPurpose).0 == .conflict)
            #expect(try await server.chat(
                .post, "/api/v1/threads/\(thread)/transfer", token: sam, json: #"{"to":"ben"}"#, headers: RelayTestServer.claimPurpose).0 == .conflict)
            // With a true purpose it opens, and the audit log says that purpose.
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: ben, headers: ["X-Access-Purpose": "covering"]).0 == .ok)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: sam, headers: ["X-Access-Purpose": "supervision"]).0 == .noContent)
            let (_, audit) = try await server.chat(.get, "/api/v1/audit?thread=\(thread)", token: compliance)
            let events = try JSONDecoder().decode(AuditPage.self, from: Data(audit.utf8)).events
            let firstResponses = events.filter { $0.purpose == "first_response" }.map { "\($0.actor) \($0.action)" }.sorted()
            #expect(firstResponses == ["ana thread.claim", "ben thread.view"])
            #expect(events.contains { $0.actor == "sam" && $0.action == "thread.claim" && $0.purpose == "supervision" })
        }
    }

    struct AuditPage: Decodable {
        struct Event: Decodable {
            let actor: String
            let action: String
            let purpose: String?
        }
        let events: [Event]
    }
}
