import Foundation
@testable import RelayCore
import RelayModel
import RelayStore
import Testing

struct IngestTests {
    @Test func firstMessageCreatesAContactAndThreadAndLaterOnesJoinIt() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let first = try await harness.relay.intake.ingest(harness.sms("+1 (202) 555-0100", "first"))
        let second = try await harness.relay.intake.ingest(harness.sms("+12025550100", "second"))
        let other = try await harness.relay.intake.ingest(harness.sms("+12025550199", "someone else"))
        #expect(first.newThread && !second.newThread)
        #expect(first.threadID == second.threadID && first.contactID == second.contactID)
        #expect(other.threadID != first.threadID && other.contactID != first.contactID)
        let messages = try await harness.relay.sealing.decryptedMessages(threadID: first.threadID)
        #expect(messages.map(\.body) == ["first", "second"])
        #expect(messages.allSatisfy { $0.direction == .inbound })
        #expect(try await harness.relay.outbox.contactAddress(contactID: first.contactID) == .phone("+12025550100"))
    }

    @Test func aRedeliveredMessageIsStoredOnce() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let first = try await harness.relay.intake.ingest(harness.sms("+12025550100", "help", sid: "SM0001"))
        let again = try await harness.relay.intake.ingest(harness.sms("+12025550100", "help", sid: "SM0001"))
        #expect(!first.duplicate && again.duplicate)
        #expect(again.messageID == first.messageID)
        #expect(try await harness.relay.sealing.decryptedMessages(threadID: first.threadID).count == 1)
    }

    @Test func theSameDeliveryIDOnAnotherChannelIsADifferentMessage() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let sms = try await harness.relay.intake.ingest(harness.sms("+12025550100", "a", sid: "KEY-1"))
        let chat = try await harness.relay.intake.ingest(
            InboundMessage(address: .webchat(contactKey: "webchat-contact-0123456789"), body: "b", deliveryID: "KEY-1"))
        #expect(!chat.duplicate && chat.threadID != sms.threadID)
    }

    @Test func oversizeOrMalformedInputIsRefusedAndNothingIsStored() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let stored = try await harness.relay.intake.ingest(harness.sms("+12025550100", "keep me"))
        await #expect(throws: RelayError.self) {
            try await harness.relay.intake.ingest(harness.sms("+12025550100", String(repeating: "x", count: InboundMessage.maximumBodyBytes + 1)))
        }
        await #expect(throws: RelayError.self) {
            try await harness.relay.intake.ingest(harness.sms("+12025550100", "x", sid: String(repeating: "s", count: 500)))
        }
        #expect(try await harness.relay.sealing.decryptedMessages(threadID: stored.threadID).map(\.body) == ["keep me"])
    }

    @Test(arguments: ["", "hello", "+1", "+0123456789", "12345", "+1202555010a", String(repeating: "1", count: 60)])
    func implausiblePhoneNumbersAreRefused(raw: String) {
        #expect(throws: RelayError.self) { try ContactAddress.phone(raw) }
    }

    @Test(arguments: [
        ("+44 20 7946 0958", "+442079460958"), ("0044 20 7946 0958", "+442079460958"),
        ("(202) 555-0100", "+12025550100"), ("1-202-555-0100", "+12025550100"), ("+52 55 1234 5678", "+525512345678"),
    ])
    func phoneNumbersNormaliseToE164(raw: String, expected: String) throws {
        #expect(try ContactAddress.phone(raw).normalised == expected)
    }

    @Test func readingAnUnknownOrErasedThreadFailsClearly() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        await #expect(throws: RelayError.threadNotFound) { try await harness.relay.sealing.decryptedMessages(threadID: "missing") }
        let receipt = try await harness.relay.intake.ingest(harness.sms("+12025550100", "x"))
        _ = try await harness.relay.erasure.eraseThread(id: receipt.threadID)
        await #expect(throws: RelayError.threadErased) { try await harness.relay.sealing.decryptedMessages(threadID: receipt.threadID) }
        // A new message from the same person opens a new thread with a new key.
        let next = try await harness.relay.intake.ingest(harness.sms("+12025550100", "again"))
        #expect(next.newThread && next.threadID != receipt.threadID)
    }
}
