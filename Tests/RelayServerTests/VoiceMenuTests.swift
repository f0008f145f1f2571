import Foundation
import HTTPTypes
@testable import RelayCore
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// The voice menu over real HTTP: signed like SMS, English first with Spanish offered, a person or
/// a text; the text goes out once however often Twilio repeats the webhook, never to a number the
/// reply rules protect; nothing is recorded, only counted.
@Suite(.timeLimit(.minutes(5)))
struct VoiceMenuTests {
    static let line = "+18885550100"
    static func callSid(_ number: Int) -> String { "CA" + String(format: "%032x", 0x5000 + number) }

    static func run(_ body: @escaping @Sendable (RelayTestServer) async throws -> Void) async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings(), configure: {
            $0.voiceDialNumber = Self.line
            $0.metricsToken = OpenAPIConformanceTests.scrapeToken
        }, body)
    }

    static func call(_ server: RelayTestServer, _ path: String, sid: String, from: String = "+12025550199", digits: String? = nil) async throws -> (HTTPResponse.Status, String) {
        var fields = [("AccountSid", RelayTestServer.accountSID), ("CallSid", sid), ("From", from), ("To", RelayTestServer.from), ("CallStatus", "in-progress")]
        if let digits { fields.append(("Digits", digits)) }
        return try await server.postSigned(path, fields)
    }

    @Test(.timeLimit(.minutes(2)))
    func theMenuGreetsInEnglishOffersSpanishAndPutsCallersThroughUnrecorded() async throws {
        try await Self.run { server in
            let (status, greeting) = try await Self.call(server, "/voice/twilio/inbound", sid: Self.callSid(1))
            #expect(status == .ok && greeting.contains("<Gather") && greeting.contains("press 1") && greeting.contains(#"language="es-US""#))
            #expect(greeting.contains("Para español, oprima 9"))
            let (_, spanish) = try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(1), digits: "9")
            #expect(spanish.contains("Para hablar con alguien ahora, oprima 1") && spanish.contains("lang=es"))
            let (_, talk) = try await Self.call(server, "/voice/twilio/menu?lang=es&attempt=1", sid: Self.callSid(1), digits: "1")
            #expect(talk.contains("<Dial record=\"do-not-record\"><Number>\(Self.line)</Number></Dial>") && talk.contains("espere"))
            // Silence reaches a person; a wrong key is asked again once, then put through.
            #expect(try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(1), digits: "").1.contains("<Dial"))
            let (_, wrong) = try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(1), digits: "7")
            #expect(wrong.contains("not one of the choices") && wrong.contains("attempt=2"))
            #expect(try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=2", sid: Self.callSid(1), digits: "7").1.contains("<Dial"))
            for twiml in [greeting, spanish, talk, wrong] {
                #expect(!twiml.contains("<Record") && !twiml.lowercased().contains("transcri"))
            }
            // Nothing of the calls is stored: no contact, no thread.
            #expect(try await server.store.read { try await $0.openThreadCounts() }.values.reduce(0, +) == 0)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func choosingATextSendsItOnceInTheCallersLanguage() async throws {
        try await Self.run { server in
            let phone = "+12025550192"
            let sid = Self.callSid(2)
            let (status, answer) = try await Self.call(server, "/voice/twilio/menu?lang=es&attempt=1", sid: sid, from: phone, digits: "2")
            #expect(status == .ok && answer.contains("mensaje de texto") && answer.contains("<Dial record=\"do-not-record\">"))
            // Twilio repeats the webhook: no second text.
            #expect(try await Self.call(server, "/voice/twilio/menu?lang=es&attempt=1", sid: sid, from: phone, digits: "2").0 == .ok)
            #expect(try await server.eventually("text sent") { await TriageTests.sent(server, to: phone).count == 1 })
            try await Task.sleep(for: .milliseconds(600))
            let texts = await TriageTests.sent(server, to: phone)
            #expect(texts.count == 1 && texts[0].hasPrefix("Hola, nos pediste"))
            // A caller id can be forged: another call from the number the same day texts nothing more.
            #expect(try await Self.call(server, "/voice/twilio/menu?lang=es&attempt=1", sid: Self.callSid(9), from: phone, digits: "2").1 == answer)
            let thread = try await ContactSafetyTests.openThread(server, phone: phone)
            let record = try #require(try await server.store.read { try await $0.thread(id: thread) })
            #expect(record.language == .es && record.automaticAnswers == ["first_answer"])
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            #expect(try await TriageTests.queueHolds(server, thread, token: advocate))
            // When they text back, the conversation goes on in the same thread, with no second first answer.
            #expect(try await server.inboundSMS(from: phone, body: "hola", sid: TriageTests.sid(60)).0 == .ok)
            #expect(try await ContactSafetyTests.openThread(server, phone: phone) == thread)
            try await Task.sleep(for: .milliseconds(400))
            #expect(await TriageTests.sent(server, to: phone).count == 1)
            let compliance = try await StaffAPITests.staff(server, "cora", .compliance)
            let (_, audit) = try await server.chat(.get, "/api/v1/audit?thread=\(thread)", token: compliance)
            #expect(audit.contains("voice_text") && audit.contains(#""actor":"system""#))
            // The caller's number is nowhere in clear: not in the database, not in the logs.
            try await server.store.checkpointAndTruncate()
            if let sqlite = server.sqlite {
                #expect(try FileScan.hits(in: FileScan.databaseFiles(sqlite.path), needles: [Array("2025550192".utf8), Array(sid.utf8)]).isEmpty)
            }
            #expect(!server.logs.text.contains("2025550192") && !server.logs.text.contains(sid))
            // Only counts: how many chose a text, nothing about who.
            let (_, metrics) = try await server.chat(.get, "/metrics", token: OpenAPIConformanceTests.scrapeToken)
            #expect(metrics.contains(#"saferelay_voice_choices_total{choice="text"} 3"#))
            #expect(!metrics.contains("2025550192") && !metrics.contains(sid))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aProtectedNumberGetsNoTextAndTheCallerHearsExactlyTheSame() async throws {
        try await Self.run { server in
            // What an unflagged number hears, for comparison.
            let (_, unflagged) = try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(20), from: "+12025550194", digits: "2")
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let phone = "+12025550193"
            #expect(try await server.inboundSMS(from: phone, body: "hello", sid: TriageTests.sid(70)).0 == .ok)
            #expect(try await server.eventually("first answer") { await TriageTests.sent(server, to: phone).count == 1 })
            let thread = try await ContactSafetyTests.openThread(server, phone: phone)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.put, "/api/v1/threads/\(thread)/case/safety", token: advocate, json: #"{"phone_may_be_monitored":true,"do_not_contact":false}"#).0 == .ok)
            let (_, answer) = try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(3), from: phone, digits: "2")
            // Whoever holds the phone cannot tell from the call that the number is flagged.
            #expect(answer == unflagged && answer.contains("<Dial"))
            // Withheld caller ids (Twilio's pseudo-numbers) and a failed attestation are not texted either.
            for (index, withheld) in ["anonymous", "+266696687", "+7378742833", "+86282452253"].enumerated() {
                #expect(try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(30 + index), from: withheld, digits: "2").1 == unflagged)
            }
            var forged = [("AccountSid", RelayTestServer.accountSID), ("CallSid", Self.callSid(40)), ("From", "+12025550195"), ("Digits", "2")]
            forged.append(("StirVerstat", "TN-Validation-Failed"))
            #expect(try await server.postSigned("/voice/twilio/menu?lang=en&attempt=1", forged).1 == unflagged)
            // A conversation already open (its window open or not) gets no voice text, and a call never
            // touches it or its window: the survivor's own texts govern it.
            let texter = "+12025550196"
            #expect(try await server.inboundSMS(from: texter, body: "hello", sid: TriageTests.sid(75)).0 == .ok)
            #expect(try await server.eventually("first answer") { await TriageTests.sent(server, to: texter).count == 1 })
            let texterThread = try await ContactSafetyTests.openThread(server, phone: texter)
            let before = try await server.store.read { try await $0.thread(id: texterThread)?.lastInboundAt }
            server.clock.advance(by: 60)
            #expect(try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(41), from: texter, digits: "2").1 == unflagged)
            server.clock.advance(by: 20 * 60)
            #expect(try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(42), from: texter, digits: "2").1 == unflagged)
            #expect(try await server.store.read { try await $0.thread(id: texterThread)?.lastInboundAt } == before)
            try await Task.sleep(for: .milliseconds(600))
            #expect(await TriageTests.sent(server, to: phone).count == 1)
            #expect(await TriageTests.sent(server, to: texter).count == 1)
            for withheld in ["+266696687", "+7378742833", "+86282452253", "+12025550195"] {
                #expect(await TriageTests.sent(server, to: withheld).isEmpty)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func forgedMalformedOversizeAndUnconfiguredCallsAreRefused() async throws {
        try await Self.run { (server) async throws in
            let fields = [("AccountSid", RelayTestServer.accountSID), ("CallSid", Self.callSid(5)), ("From", "+12025550194")]
            #expect(try await server.postSigned("/voice/twilio/inbound", fields, signature: "forged").0 == .forbidden)
            #expect(try await server.postSigned("/voice/twilio/inbound", [("AccountSid", RelayTestServer.accountSID)]).0 == .badRequest)
            #expect(try await server.postSigned("/voice/twilio/inbound", [("AccountSid", "AC" + String(repeating: "0", count: 32)), ("CallSid", Self.callSid(5))]).0 == .forbidden)
            let big = [("CallSid", Self.callSid(5)), ("Padding", String(repeating: "x", count: 2_000_000))]
            #expect(try await server.postSigned("/voice/twilio/inbound", big).0 == .contentTooLarge)
            #expect(try await Self.call(server, "/voice/twilio/menu?lang=en&attempt=1", sid: Self.callSid(5), digits: "123456789").0 == .badRequest)
        }
        try await RelayTestServer.run { (server) async throws in
            #expect(try await Self.call(server, "/voice/twilio/inbound", sid: Self.callSid(6)).0 == .serviceUnavailable)
        }
    }
}
