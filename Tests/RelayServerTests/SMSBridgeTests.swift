import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RelayChannels
@testable import RelayCore
import RelayCrypto
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// The SMS bridge end to end over HTTP on loopback, with a stand-in Twilio API started by the test.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct SMSBridgeTests {
    static func sid(_ n: Int) -> String { "SM" + String(format: "%032x", 0xabc000 + n) }

    @Test(.enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files")) func aSignedInboundSMSIsStoredEncryptedAndAnsweredWithEmptyTwiML() async throws {
        try await RelayTestServer.run { server in
            let (status, xml) = try await server.inboundSMS(from: "+12025550100", body: "I need help", sid: Self.sid(1))
            #expect(status == .ok)
            #expect(xml == #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#)
            try await server.store.checkpointAndTruncate()
            #expect(try FileScan.hits(in: FileScan.databaseFiles(server.sqlite!.path), needles: [Array("I need help".utf8), Array("2025550100".utf8)]).isEmpty)
            let receipt = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "again", deliveryID: Self.sid(2)))
            #expect(!receipt.newThread)
            #expect(try await server.relay.sealing.decryptedMessages(threadID: receipt.threadID).map(\.body) == ["I need help", "again"])
        }
    }

    @Test func aRedeliveredMessageSidIsStoredOnce() async throws {
        try await RelayTestServer.run { server in
            for _ in 0..<3 {
                let (status, _) = try await server.inboundSMS(from: "+12025550100", body: "once", sid: Self.sid(7))
                #expect(status == .ok)
            }
            let receipt = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "next", deliveryID: Self.sid(8)))
            #expect(try await server.relay.sealing.decryptedMessages(threadID: receipt.threadID).map(\.body) == ["once", "next"])
        }
    }

    @Test func forgedOrMissingSignaturesAre403AndStoreNothing() async throws {
        try await RelayTestServer.run { server in
            let fields = [("AccountSid", RelayTestServer.accountSID), ("MessageSid", Self.sid(1)), ("From", "+12025550100"), ("Body", "forged")]
            let forged = try await server.postSigned("/sms/twilio/inbound", fields, signature: "bm90IGEgc2lnbmF0dXJl")
            #expect(forged.0 == .forbidden)
            #expect(forged.1.contains(#""error":"forbidden""#))
            // Signed for other content.
            let other = server.signer.signature(url: RelayTestServer.publicURL + "/sms/twilio/inbound", parameters: fields + [("X", "y")])
            #expect(try await server.postSigned("/sms/twilio/inbound", fields, signature: other).0 == .forbidden)
            // Signed by another account's token.
            let wrongToken = TwilioSignatureHelper.sign(token: "another-token", url: RelayTestServer.publicURL + "/sms/twilio/inbound", fields: fields)
            #expect(try await server.postSigned("/sms/twilio/inbound", fields, signature: wrongToken).0 == .forbidden)
            // Nothing was stored: a fresh message from the same number opens a new thread.
            let receipt = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "real", deliveryID: Self.sid(2)))
            #expect(receipt.newThread)
            #expect(try await server.relay.sealing.decryptedMessages(threadID: receipt.threadID).map(\.body) == ["real"])
        }
    }

    @Test func badInputGetsTheRightStatus() async throws {
        try await RelayTestServer.run { server in
            let long = String(repeating: "x", count: 1_601)
            #expect(try await server.inboundSMS(from: "+12025550100", body: long, sid: Self.sid(1)).0 == .contentTooLarge)
            #expect(try await server.inboundSMS(from: "not-a-number", body: "x", sid: Self.sid(2)).0 == .badRequest)
            #expect(try await server.inboundSMS(from: "+12025550100", body: "x", sid: "bad sid!").0 == .badRequest)
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            headers[HTTPField.Name("X-Twilio-Signature")!] = "x"
            let malformed = try await server.client.execute(
                uri: "/sms/twilio/inbound", method: .post, headers: headers, body: .init(string: "From=%zz&Body=%")) { ($0.status, String(buffer: $0.body)) }
            // A form that cannot be parsed cannot be checked either: the same 403 as a forged one.
            #expect(malformed.0 == .forbidden)
            #expect(malformed.1.contains(#""error":"forbidden""#))
            let huge = try await server.client.execute(
                uri: "/sms/twilio/inbound", method: .post, headers: headers, body: .init(string: String(repeating: "a", count: 70_000))) { $0.status }
            #expect(huge == .contentTooLarge)
        }
    }

    @Test func aReplyReachesTwilioWithTheRightAuthAndFieldsAndStatusCallbacksUpdateIt() async throws {
        try await RelayTestServer.run { server in
            _ = try await server.inboundSMS(from: "+12025550100", body: "are you there?", sid: Self.sid(1))
            let thread = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "hello?", deliveryID: Self.sid(2))).threadID
            let reply = try await server.relay.outbox.queueReply(threadID: thread, text: "Yes. You can write here any time.")
            #expect(reply.outboxState == .queued)
            #expect(try await server.eventually("sent") { try await server.relay.outbox.state(messageID: reply.messageID) == .sent })

            let received = await server.twilio.received
            #expect(received.count == 1)
            let request = try #require(received.first)
            #expect(request.accountSID == RelayTestServer.accountSID)
            let credentials = Data("\(RelayTestServer.accountSID):\(RelayTestServer.authToken)".utf8).base64EncodedString()
            #expect(request.authorization == "Basic \(credentials)")
            #expect(request.fields["To"] == "+12025550100")
            #expect(request.fields["From"] == RelayTestServer.from)
            #expect(request.fields["Body"] == "Yes. You can write here any time.")
            #expect(request.fields["StatusCallback"] == RelayTestServer.publicURL + "/sms/twilio/status")

            let sid = "SM" + String(format: "%032x", 1)
            let (status, _) = try await server.postSigned("/sms/twilio/status", [("MessageSid", sid), ("MessageStatus", "delivered"), ("AccountSid", RelayTestServer.accountSID)])
            #expect(status == .ok)
            #expect(try await server.relay.outbox.state(messageID: reply.messageID) == .delivered)
            // A forged callback changes nothing.
            let forged = try await server.postSigned("/sms/twilio/status", [("MessageSid", sid), ("MessageStatus", "failed")], signature: "AAAA")
            #expect(forged.0 == .forbidden)
            #expect(try await server.relay.outbox.state(messageID: reply.messageID) == .delivered)
        }
    }

    @Test func aReplyOutsideTheWindowOrToADoNotContactThreadIsRefused() async throws {
        try await RelayTestServer.run { server in
            let thread = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "hi", deliveryID: Self.sid(1))).threadID
            server.clock.advance(by: 16 * 60)
            await #expect(throws: ReplyRefusal.windowClosed) { try await server.relay.outbox.queueReply(threadID: thread, text: "late") }
            _ = try await server.inboundSMS(from: "+12025550100", body: "still here", sid: Self.sid(2))
            try await server.relay.caseRecords.setDoNotContact(threadID: thread, true)
            await #expect(throws: ReplyRefusal.doNotContact) { try await server.relay.outbox.queueReply(threadID: thread, text: "x") }
            #expect(await server.twilio.received.isEmpty)
        }
    }

    @Test func rateLimitedAndServerErrorsAreRetriedAndAnOptedOutRecipientIsPermanent() async throws {
        try await RelayTestServer.run { server in
            await server.twilio.enqueue(.status(429, code: 20429), .status(503, code: nil))
            let thread = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "hi", deliveryID: Self.sid(1))).threadID
            let reply = try await server.relay.outbox.queueReply(threadID: thread, text: "first")
            // Each retry is due only once the outcome is recorded (state back to queued) and the clock passes its backoff.
            for attempt in 1...2 {
                let recorded = try await server.eventually("attempt \(attempt) recorded") {
                    let count = await server.twilio.received.count
                    let state = try await server.relay.outbox.state(messageID: reply.messageID)
                    return count == attempt && state == .queued
                }
                #expect(recorded)
                server.clock.advance(by: 60)
            }
            #expect(try await server.eventually("sent") { try await server.relay.outbox.state(messageID: reply.messageID) == .sent })
            #expect(await server.twilio.received.count == 3)

            await server.twilio.enqueue(.status(400, code: 21610))
            let blocked = try await server.relay.outbox.queueReply(threadID: thread, text: "second")
            #expect(try await server.eventually("failed") { try await server.relay.outbox.state(messageID: blocked.messageID) == .failed })
            await #expect(throws: ReplyRefusal.optedOut) { try await server.relay.outbox.queueReply(threadID: thread, text: "third") }
            #expect(await server.twilio.received.count == 4)
        }
    }

    @Test(.enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files")) func theEraseKeywordLeavesNothingReadableAndConfirmsOnce() async throws {
        try await RelayTestServer.run { server in
            _ = try await server.inboundSMS(from: "+12025550100", body: "CANARY-ERASE-ME-4417", sid: Self.sid(1))
            let thread = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "more", deliveryID: Self.sid(2))).threadID
            let (status, xml) = try await server.inboundSMS(from: "+12025550100", body: "  borrar ", sid: Self.sid(3))
            #expect(status == .ok)
            #expect(xml.contains("<Message>Done. / Listo.</Message>"))
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: thread) }
            // Redelivery of the same ERASE confirms nothing again.
            let (_, again) = try await server.inboundSMS(from: "+12025550100", body: "borrar", sid: Self.sid(3))
            #expect(!again.contains("<Message>"))
            try await server.store.checkpointAndTruncate()
            #expect(try FileScan.hits(in: FileScan.databaseFiles(server.sqlite!.path), needles: [Array("CANARY-ERASE-ME".utf8)]).isEmpty)
            // Twilio sent nothing of ours: the confirmation went back in the TwiML answer.
            #expect(await server.twilio.received.isEmpty)
        }
    }

    @Test func stopIsMirroredAsAnOptOutAndStartUndoesIt() async throws {
        try await RelayTestServer.run { server in
            let thread = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "hi", deliveryID: Self.sid(1))).threadID
            let (_, xml) = try await server.inboundSMS(from: "+12025550100", body: "STOP", sid: Self.sid(2))
            #expect(!xml.contains("<Message>"))
            await #expect(throws: ReplyRefusal.optedOut) { try await server.relay.outbox.queueReply(threadID: thread, text: "x") }
            _ = try await server.inboundSMS(from: "+12025550100", body: "start", sid: Self.sid(3))
            _ = try await server.inboundSMS(from: "+12025550100", body: "thanks", sid: Self.sid(4))
            _ = try await server.relay.outbox.queueReply(threadID: thread, text: "welcome back")
            #expect(try await server.eventually("sent") { await server.twilio.received.count == 1 })
        }
    }

    @Test func anAmbiguousServerErrorMakesTheReplyUnknownAndItIsNotResent() async throws {
        try await RelayTestServer.run { server in
            await server.twilio.enqueue(.status(502, code: nil))
            let thread = try await server.relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "hi", deliveryID: Self.sid(1))).threadID
            let reply = try await server.relay.outbox.queueReply(threadID: thread, text: "once at most")
            #expect(try await server.eventually("unknown") { try await server.relay.outbox.state(messageID: reply.messageID) == .unknown })
            server.clock.advance(by: 600)
            try await Task.sleep(for: .milliseconds(500))
            #expect(await server.twilio.received.count == 1)
        }
    }
}

/// Signs with an arbitrary token (for forged-signature tests).
enum TwilioSignatureHelper {
    static func sign(token: String, url: String, fields: [(String, String)]) -> String {
        TwilioSignature(authToken: token).signature(url: url, parameters: fields)
    }
}
