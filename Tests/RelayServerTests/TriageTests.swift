import Foundation
import HTTPTypes
@testable import RelayCore
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// Triage over real HTTP: the first automatic answer goes through the same reply rules as an
/// advocate's (window, do-not-contact, opt-out, a monitored phone), through the durable outbox to
/// the stand-in Twilio, once — whatever Twilio redelivers — and is audited as sent by the system;
/// a redirect takes a conversation out of the waiting queue only when its answer went out, and the
/// person writing again brings it back.
@Suite(.timeLimit(.minutes(5)))
struct TriageTests {
    static func settings() throws -> RelaySettings {
        var settings = RelaySettings()
        settings.triage = try TriagePolicy.load(path: RepositoryFile.path("Policies/triage.yaml"))
        return settings
    }

    static func sid(_ number: Int) -> String { "SM" + String(format: "%032x", 0x7000 + number) }

    static func sent(_ server: RelayTestServer, to phone: String) async -> [String] {
        await server.twilio.received.filter { $0.fields["To"] == phone }.compactMap { $0.fields["Body"] }
    }

    static func queueHolds(_ server: RelayTestServer, _ threadID: String, token: String) async throws -> Bool {
        try await server.chat(.get, "/api/v1/queue?limit=100", token: token).1.contains(threadID)
    }

    @Test(.timeLimit(.minutes(2)))
    func aNewTextConversationGetsTheFirstAnswerOnceInItsLanguageAudited() async throws {
        try await RelayTestServer.run(settings: try Self.settings()) { server in
            let phone = "+12025550181"
            #expect(try await server.inboundSMS(from: phone, body: "Hola, necesito hablar con alguien", sid: Self.sid(1)).0 == .ok)
            // Twilio redelivers the same message: stored once, answered once.
            #expect(try await server.inboundSMS(from: phone, body: "Hola, necesito hablar con alguien", sid: Self.sid(1)).0 == .ok)
            #expect(try await server.eventually("first answer sent") { await Self.sent(server, to: phone).count == 1 })
            let answer = try #require(await Self.sent(server, to: phone).first)
            #expect(answer.hasPrefix("Gracias por tu mensaje"))
            // A second message in the same conversation gets no second answer.
            #expect(try await server.inboundSMS(from: phone, body: "¿hay alguien?", sid: Self.sid(2)).0 == .ok)
            try await Task.sleep(for: .milliseconds(600))
            #expect(await Self.sent(server, to: phone).count == 1)

            let thread = try await ContactSafetyTests.openThread(server, phone: phone)
            let record = try #require(try await server.store.read { try await $0.thread(id: thread) })
            #expect(record.language == .es && record.automaticAnswers == ["first_answer"] && record.firstResponseAt == nil)
            let compliance = try await StaffAPITests.staff(server, "cora", .compliance)
            let (_, audit) = try await server.chat(.get, "/api/v1/audit?thread=\(thread)", token: compliance)
            #expect(audit.contains("reply.automatic") && audit.contains(#""actor":"system""#) && audit.contains("first_answer"))
            #expect(!audit.contains("Gracias"))
            // Still waiting for a person: an automatic answer is not a first response.
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            #expect(try await Self.queueHolds(server, thread, token: advocate))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func noAutomaticAnswerReachesADoNotContactOptedOutOrMonitoredPhone() async throws {
        try await RelayTestServer.run(settings: try Self.settings()) { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            var sid = 10
            for (phone, safety) in [
                ("+12025550182", #"{"phone_may_be_monitored":false,"do_not_contact":true}"#),
                ("+12025550183", #"{"phone_may_be_monitored":true,"do_not_contact":false}"#),
            ] {
                // A first conversation (answered), then the flag, then a new conversation.
                sid += 1
                #expect(try await server.inboundSMS(from: phone, body: "hello", sid: Self.sid(sid)).0 == .ok)
                #expect(try await server.eventually("first answer") { await Self.sent(server, to: phone).count == 1 })
                let first = try await ContactSafetyTests.openThread(server, phone: phone)
                #expect(try await server.chat(.post, "/api/v1/threads/\(first)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
                #expect(try await server.chat(.put, "/api/v1/threads/\(first)/case/safety", token: advocate, json: safety).0 == .ok)
                #expect(try await server.chat(.post, "/api/v1/threads/\(first)/close", token: advocate).0 == .noContent)
                sid += 1
                #expect(try await server.inboundSMS(from: phone, body: "hello again", sid: Self.sid(sid)).0 == .ok)
                let second = try await ContactSafetyTests.openThread(server, phone: phone)
                #expect(second != first)
                #expect(try await server.store.read { try await $0.thread(id: second)?.automaticAnswers } == [])
            }
            // Opted out with STOP: a later message opens a conversation that gets no answer either.
            let stopped = "+12025550184"
            #expect(try await server.inboundSMS(from: stopped, body: "hi", sid: Self.sid(20)).0 == .ok)
            #expect(try await server.eventually("first answer") { await Self.sent(server, to: stopped).count == 1 })
            let first = try await ContactSafetyTests.openThread(server, phone: stopped)
            #expect(try await server.chat(.post, "/api/v1/threads/\(first)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.post, "/api/v1/threads/\(first)/close", token: advocate).0 == .noContent)
            #expect(try await server.inboundSMS(from: stopped, body: "STOP", sid: Self.sid(21)).0 == .ok)
            #expect(try await server.inboundSMS(from: stopped, body: "are you there", sid: Self.sid(22)).0 == .ok)
            try await Task.sleep(for: .milliseconds(600))
            #expect(await Self.sent(server, to: stopped).count == 1)
            #expect(await Self.sent(server, to: "+12025550182").count == 1)
            #expect(await Self.sent(server, to: "+12025550183").count == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aRedirectLeavesTheQueueOnlyOnceAnsweredAndWritingAgainBringsItBack() async throws {
        try await RelayTestServer.run(settings: try Self.settings()) { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let phone = "+12025550185"
            #expect(try await server.inboundSMS(from: phone, body: "hello", sid: Self.sid(30)).0 == .ok)
            let thread = try await ContactSafetyTests.openThread(server, phone: phone)
            #expect(try await Self.queueHolds(server, thread, token: advocate))
            #expect(try await server.inboundSMS(from: phone, body: "OTHER", sid: Self.sid(31)).0 == .ok)
            #expect(try await server.eventually("redirect sent") { await Self.sent(server, to: phone).count == 2 })
            #expect(await Self.sent(server, to: phone).contains { $0.contains("211") })
            #expect(try await !Self.queueHolds(server, thread, token: advocate))
            let (_, metrics) = try await server.chat(.get, "/metrics", token: nil)
            #expect(!metrics.isEmpty)
            // Writing again: back in the queue, and no second redirect.
            #expect(try await server.inboundSMS(from: phone, body: "OTHER", sid: Self.sid(32)).0 == .ok)
            #expect(try await Self.queueHolds(server, thread, token: advocate))
            try await Task.sleep(for: .milliseconds(600))
            #expect(await Self.sent(server, to: phone).count == 2)

            // Someone in danger is never redirected, even with the menu answer in their message.
            let urgent = "+12025550186"
            #expect(try await server.inboundSMS(from: urgent, body: "hi", sid: Self.sid(33)).0 == .ok)
            #expect(try await server.inboundSMS(from: urgent, body: "OTHER", sid: Self.sid(34)).0 == .ok)
            let urgentThread = try await ContactSafetyTests.openThread(server, phone: urgent)
            #expect(try await !Self.queueHolds(server, urgentThread, token: advocate))
            #expect(try await server.inboundSMS(from: urgent, body: "help me now", sid: Self.sid(35)).0 == .ok)
            #expect(try await Self.queueHolds(server, urgentThread, token: advocate))
            // …and once they have said so, a later menu answer does not take them out of the queue either.
            let helpFirst = "+12025550188"
            #expect(try await server.inboundSMS(from: helpFirst, body: "help, they took my passport", sid: Self.sid(38)).0 == .ok)
            #expect(try await server.inboundSMS(from: helpFirst, body: "OTHER", sid: Self.sid(39)).0 == .ok)
            #expect(try await Self.queueHolds(server, try await ContactSafetyTests.openThread(server, phone: helpFirst), token: advocate))

            // A do-not-contact person asking for the menu gets no answer, so stays in the queue.
            let flagged = "+12025550187"
            #expect(try await server.inboundSMS(from: flagged, body: "hi", sid: Self.sid(36)).0 == .ok)
            #expect(try await server.eventually("first answer") { await Self.sent(server, to: flagged).count == 1 })
            let flaggedThread = try await ContactSafetyTests.openThread(server, phone: flagged)
            #expect(try await server.chat(.post, "/api/v1/threads/\(flaggedThread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.put, "/api/v1/threads/\(flaggedThread)/case/safety", token: advocate, json: #"{"phone_may_be_monitored":false,"do_not_contact":true}"#).0 == .ok)
            #expect(try await server.inboundSMS(from: flagged, body: "OTHER", sid: Self.sid(37)).0 == .ok)
            #expect(try await Self.queueHolds(server, flaggedThread, token: advocate))
            try await Task.sleep(for: .milliseconds(600))
            #expect(await Self.sent(server, to: flagged).count == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aWebchatGetsItsFirstAnswerInItsOpenSession() async throws {
        try await RelayTestServer.run(settings: try Self.settings()) { server in
            let token = try await server.startChat()
            let key = ["Idempotency-Key": "triage-key-0001"]
            #expect(try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"ESPAÑOL"}"#, headers: key).0 == .created)
            #expect(try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"ESPAÑOL"}"#, headers: key).0 != .internalServerError)
            let (_, list) = try await server.chat(.get, "/chat/messages", token: token)
            #expect(list.contains("Gracias por escribir"))
            #expect(list.components(separatedBy: "Gracias por escribir").count == 2)
            #expect(!list.contains("Envía BORRAR"))
        }
    }
}

/// A supervisor's block on an abusive contact: placed and lifted only by a supervisor, with a
/// reason, audited; while it holds, the person's texts are not stored and get no answer, and their
/// erase still works.
@Suite(.timeLimit(.minutes(5)))
struct ContactBlockTests {
    @Test(.timeLimit(.minutes(2)))
    func aSupervisorsBlockHoldsMessagesBackButNeverAnErase() async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings()) { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let supervisor = try await StaffAPITests.staff(server, "sam", .supervisor)
            let compliance = try await StaffAPITests.staff(server, "cora", .compliance)
            let phone = "+12025550191"
            #expect(try await server.inboundSMS(from: phone, body: "hello", sid: TriageTests.sid(50)).0 == .ok)
            let thread = try await ContactSafetyTests.openThread(server, phone: phone)
            #expect(try await server.eventually("first answer") { await TriageTests.sent(server, to: phone).count == 1 })

            let block = "/api/v1/threads/\(thread)/block"
            #expect(try await server.chat(.post, block, token: advocate, json: #"{"reason":"abusive"}"#).0 == .forbidden)
            #expect(try await server.chat(.post, block, token: compliance, json: #"{"reason":"abusive"}"#).0 == .forbidden)
            #expect(try await server.chat(.post, block, token: supervisor, json: #"{"reason":"  "}"#).0 == .badRequest)
            #expect(try await server.chat(.post, block, token: supervisor, json: #"{"reason":"abusive","hours":721}"#).0 == .badRequest)
            #expect(try await server.chat(.post, "/api/v1/threads/nope/block", token: supervisor, json: #"{"reason":"abusive"}"#).0 == .notFound)
            let (placed, answer) = try await server.chat(.post, block, token: supervisor, json: #"{"reason":"threats to staff","hours":2}"#)
            #expect(placed == .ok && answer.contains("blocked_until"))

            let count = { @Sendable in try await server.store.read { try await $0.messages(threadID: thread).count } }
            let before = try await count()
            #expect(try await server.inboundSMS(from: phone, body: "you will regret this", sid: TriageTests.sid(51)).0 == .ok)
            #expect(try await count() == before)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: supervisor, headers: ["X-Access-Purpose": "supervision"])
            #expect(view.contains(#""blocked_until":"20"#))
            let (_, audit) = try await server.chat(.get, "/api/v1/audit?thread=\(thread)", token: compliance)
            #expect(audit.contains("contact.block") && audit.contains("threats to staff"))

            // Two hours on, the block has run out by itself.
            server.clock.advance(by: 2 * 3600 + 1)
            #expect(try await server.inboundSMS(from: phone, body: "sorry", sid: TriageTests.sid(52)).0 == .ok)
            #expect(try await count() == before + 1)

            // Blocked again (by a supervisor fresh on shift): the erase keyword still erases, and says so.
            let next = try await StaffAPITests.staff(server, "sue", .supervisor)
            #expect(try await server.chat(.post, block, token: next, json: #"{"reason":"again"}"#).0 == .ok)
            let (erased, twiml) = try await server.inboundSMS(from: phone, body: "ERASE", sid: TriageTests.sid(53))
            #expect(erased == .ok && twiml.contains("Done"))
            #expect(try await ContactSafetyTests.contact(server, phone: phone) == nil)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aBlockedWebchatIsToldItIsPausedAndLiftingItLetsThemIn() async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings()) { server in
            let supervisor = try await StaffAPITests.staff(server, "sam", .supervisor)
            let token = try await server.startChat()
            #expect(try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"hi"}"#, headers: ["Idempotency-Key": "block-key-0001"]).0 == .created)
            let (_, queue) = try await server.chat(.get, "/api/v1/queue", token: supervisor)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(queue.utf8)) as? [String: Any])
            let thread = try #require((object["threads"] as? [[String: Any]])?.first?["thread"] as? String)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/block", token: supervisor, json: #"{"reason":"abuse"}"#).0 == .ok)
            let (paused, why) = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"hi again"}"#, headers: ["Idempotency-Key": "block-key-0002"])
            #expect(paused == .forbidden && why.contains("paused"))
            #expect(try await server.chat(.delete, "/api/v1/threads/\(thread)/block", token: supervisor).0 == .noContent)
            #expect(try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"hi again"}"#, headers: ["Idempotency-Key": "block-key-0002"]).0 == .created)
        }
    }
}

/// A redirect's answer that does not arrive (the provider refuses it, or its fate is unknown) puts
/// the person back in the waiting queue: nobody stays hidden behind an answer they never got.
@Suite(.timeLimit(.minutes(3)))
struct RedirectDeliveryTests {
    @Test(.timeLimit(.minutes(2)))
    func aRedirectThatFailsOrIsUnknownPutsThePersonBackInTheQueue() async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings()) { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            for (index, answer) in [StandInTwilio.Answer.status(400, code: 21211), .status(500, code: nil)].enumerated() {
                let phone = "+1202555020\(index)"
                #expect(try await server.inboundSMS(from: phone, body: "hello", sid: TriageTests.sid(80 + 2 * index)).0 == .ok)
                #expect(try await server.eventually("first answer") { await TriageTests.sent(server, to: phone).count == 1 })
                let thread = try await ContactSafetyTests.openThread(server, phone: phone)
                await server.twilio.enqueue(answer)
                #expect(try await server.inboundSMS(from: phone, body: "OTHER", sid: TriageTests.sid(81 + 2 * index)).0 == .ok)
                #expect(try await server.eventually("the redirect attempted") { await TriageTests.sent(server, to: phone).count == 2 })
                #expect(try await server.eventually("back in the queue") { try await TriageTests.queueHolds(server, thread, token: advocate) })
            }
        }
    }
}
