import Foundation
@testable import RelayCore
import RelayModel
import RelayStore
import Testing

/// Invariant 8 at send time: flags set after a reply was queued still stop it in the outbox, with
/// the reason recorded; an overridden reply still goes.
struct OutboxSafetyTests {
    @Test func flagsSetAfterQueuingStopTheSendAndSayWhy() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let advocate = StaffIdentity(accountID: "a1", name: "ana", role: .advocate)
        var receipts: [(ReplyReceipt, ContactSafetyFlags)] = []
        for (index, flags) in [
            ContactSafetyFlags(doNotContact: true), ContactSafetyFlags(phoneMayBeMonitored: true), ContactSafetyFlags(notSafeToText: true),
        ].enumerated() {
            let inbound = try await harness.relay.intake.ingest(harness.sms("+1202555020\(index)", "hi", sid: "SMq\(index)"))
            let reply = try await harness.relay.outbox.queueReply(threadID: inbound.threadID, text: "queued before the flag", by: advocate)
            try await harness.store.write { try await $0.setSafety(contactID: inbound.contactID, flags) }
            receipts.append((reply, flags))
        }
        // An overridden reply to a monitored phone goes; the flag set before it was queued is no surprise.
        let monitored = try await harness.relay.intake.ingest(harness.sms("+12025550209", "hi", sid: "SMq9"))
        try await harness.store.write { try await $0.setSafety(contactID: monitored.contactID, ContactSafetyFlags(phoneMayBeMonitored: true)) }
        await #expect(throws: ReplyRefusal.safetyOverrideRequired) {
            try await harness.relay.outbox.queueReply(threadID: monitored.threadID, text: "no override", by: advocate)
        }
        let overridden = try await harness.relay.outbox.queueReply(threadID: monitored.threadID, text: "with override", by: advocate, override: "asked at 9am")

        let claimed = try await harness.relay.outbox.claimDue(limit: 10)
        #expect(claimed.map(\.messageID) == [overridden.messageID])
        let sent = receipts
        let codes = try await harness.store.read { reader in
            var entries: [OutboxRecord?] = []
            for (receipt, _) in sent { entries.append(try await reader.outbox(messageID: receipt.messageID)) }
            return entries
        }
        #expect(codes.map { $0?.state } == [.failed, .failed, .failed])
        #expect(codes.map { $0?.errorCode } == ["do_not_contact", "safety_override_required", "safety_override_required"])
    }
}

/// Upgrading: safety considerations recorded before they lived on the contact are enforced too.
struct SafetyBackfillTests {
    @Test func caseRecordSafetyIsCopiedToTheContactOnce() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let advocate = StaffIdentity(accountID: "a1", name: "ana", role: .supervisor)
        let monitored = try await harness.relay.intake.ingest(harness.sms("+12025550301", "hi", sid: "SMb1"))
        let plain = try await harness.relay.intake.ingest(harness.sms("+12025550302", "hi", sid: "SMb2"))
        _ = try await harness.relay.caseRecords.change(
            threadID: monitored.threadID, .safety(CaseRecord.Safety(safeToText: false, phoneMayBeMonitored: true)), by: advocate, purpose: "supervision")
        _ = try await harness.relay.caseRecords.change(threadID: plain.threadID, .note("nothing about safety"), by: advocate, purpose: "supervision")
        // As a database from before the flags lived on the contact.
        try await harness.store.write { try await $0.setSafety(contactID: monitored.contactID, ContactSafetyFlags()) }

        #expect(try await harness.relay.caseRecords.backfillContactSafety() == 1)
        let flags = try await harness.store.read { try await $0.contact(id: monitored.contactID)!.safety }
        #expect(flags == ContactSafetyFlags(phoneMayBeMonitored: true, notSafeToText: true))
        #expect(try await harness.store.read { try await $0.contact(id: plain.contactID)!.safety } == ContactSafetyFlags())
        // Once only: a flag cleared later by an advocate is not brought back at the next start.
        try await harness.store.write { try await $0.setSafety(contactID: monitored.contactID, ContactSafetyFlags()) }
        #expect(try await harness.relay.caseRecords.backfillContactSafety() == 0)
    }
}

/// The last look before the provider is called, and retention's re-check of a thread's activity.
struct LastLookTests {
    @Test func aReplyClaimedBeforeAnEraseOrAFlagIsNotSent() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let flagged = try await harness.relay.intake.ingest(harness.sms("+12025550401", "hi", sid: "SMl1"))
        let erased = try await harness.relay.intake.ingest(harness.sms("+12025550402", "hi", sid: "SMl2"))
        let fine = try await harness.relay.intake.ingest(harness.sms("+12025550403", "hi", sid: "SMl3"))
        for inbound in [flagged, erased, fine] { _ = try await harness.relay.outbox.queueReply(threadID: inbound.threadID, text: "claimed") }
        let claimed = try await harness.relay.outbox.claimDue(limit: 10)
        #expect(claimed.count == 3)
        // Between the claim and the call: one contact is flagged, another erases everything.
        try await harness.relay.caseRecords.setDoNotContact(threadID: flagged.threadID, true)
        _ = try await harness.relay.erasure.eraseContact(id: erased.contactID)
        var sendable: [Bool] = []
        for sms in claimed { sendable.append(try await harness.relay.outbox.confirmSendable(sms)) }
        #expect(sendable == [false, false, true])
        #expect(try await harness.relay.outbox.state(messageID: claimed[0].messageID) == .failed)
    }

    @Test func retentionDoesNotCloseOrPurgeAThreadThatHadAMessageSincePlanning() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let inbound = try await harness.relay.intake.ingest(harness.sms("+12025550404", "first", sid: "SMr1"))
        let planned = try await harness.store.read { try await $0.thread(id: inbound.threadID)!.lastActivityAt }
        // A message is acknowledged after the plan was made…
        harness.clock.advance(by: 5)
        _ = try await harness.relay.intake.ingest(harness.sms("+12025550404", "just now", sid: "SMr2"))
        // …so the batch planned to close and purge it leaves it open, with both messages.
        let result = try await harness.store.write { writer in
            try await writer.applyRetentionBatch(
                close: [PlannedClose(threadID: inbound.threadID, lastActivityAt: planned)], purge: [inbound.threadID], deleteMetadata: [],
                at: harness.clock.now().storeTime)
        }
        #expect(result.closed == 0 && result.purgedThreads == 0)
        #expect(try await harness.relay.sealing.decryptedMessages(threadID: inbound.threadID).map(\.body) == ["first", "just now"])
    }
}
