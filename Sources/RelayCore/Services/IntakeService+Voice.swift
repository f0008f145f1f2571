import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// What a caller's choice to continue by text did.
public enum VoiceTextOutcome: Sendable, Equatable {
    /// A text conversation was opened and its first text queued in the outbox.
    case started
    /// The reply rules forbid a text to this number (do-not-contact, opted out, a phone flagged
    /// monitored, a block): nothing was sent; the caller should be put through to a person.
    case refused
    /// The same choice on the same call was handled before (a repeated webhook): nothing again.
    case duplicate
}

extension IntakeService {
    /// A caller chose, in the voice menu, to continue by text: opens a new SMS conversation as if
    /// they had written — the choice opens its reply window — and queues the policy's voice text
    /// through the same reply rules as any reply, audited as sent by the system. A caller id can be
    /// forged, so a number with a conversation already open gets none (a call never touches that
    /// conversation or its window), and a number gets at most one voice text a day, whoever calls. Nothing about the call is kept but keyed hashes of its id
    /// and of the number's day (so that a repeated webhook sends nothing twice) and the number,
    /// sealed, like any texter's.
    public func startTextFromCall(caller address: ContactAddress, language: ConversationLanguage, callID: String) async throws -> VoiceTextOutcome {
        let addressIndex = self.addressIndex(address)
        let deliveryIndex = keyring.blindIndex(.deliveryID).index("voice-text:\(callID)")
        let now = clock.now().storeTime
        let dayIndex = keyring.blindIndex(.deliveryID).index("voice-text-day:\(address.normalised):\(now / 86_400_000)")
        let envelope = self.envelope
        let settings = self.settings
        let text = settings.triage.voiceText.text(in: language)
        let outcome: (VoiceTextOutcome, String?)
        do {
            outcome = try await store.write { writer -> (VoiceTextOutcome, String?) in
                guard try await !writer.isHandled(deliveryIndex: deliveryIndex) else { return (.duplicate, nil) }
                guard try await !writer.isHandled(deliveryIndex: dayIndex) else { throw VoiceTextRefused() }
                let known = try await writer.contact(addressIndex: addressIndex)
                // A number with a conversation already open gets no voice text: the survivor's own
                // texts govern that conversation and its window, and a call may be forged.
                if let known, try await writer.openThread(contactID: known.id, channel: .sms) != nil { throw VoiceTextRefused() }
                let threadID = RandomToken.timeOrderedIdentifier(milliseconds: UInt64(max(0, now)))
                let (_, wrapped) = envelope.newDataKey(owner: threadID)
                var thread = ThreadRecord(
                    id: threadID, contactID: known?.id, channel: .sms, state: .open, key: StoredKey(wrapped), openedAt: now, lastActivityAt: now)
                thread.lastInboundAt = now
                try await writer.markHandled(deliveryIndex: deliveryIndex, at: now)
                try await writer.markHandled(deliveryIndex: dayIndex, at: now)
                let contact = if let known { known } else {
                    try await Self.newContact(address: address, addressIndex: addressIndex, now: now, envelope: envelope, writer: writer)
                }
                // A refusal writes nothing (the transaction is abandoned): the caller is put through
                // to a person instead, and a repeated webhook is refused the same way. A new contact
                // can be refused too (a do-not-contact kept after a purge).
                if let until = contact.blockedUntil, until > now { throw VoiceTextRefused() }
                if ReplyGate(settings: settings).refusal(thread: thread, contact: contact, webchatSessionOpen: false, at: now, hasOverride: false) != nil {
                    throw VoiceTextRefused()
                }
                thread.contactID = contact.id
                try await writer.insert(thread)
                try await writer.touchThread(id: thread.id, at: now, inbound: true)
                let outbound = try await OutboxService.storeOutbound(
                    text: text, thread: thread, contact: contact, cautionOverride: false, at: now, envelope: envelope, writer: writer)
                var answers = thread.automaticAnswers
                if !answers.contains(AutomaticAnswer.Kind.firstAnswer.rawValue) { answers.append(AutomaticAnswer.Kind.firstAnswer.rawValue) }
                try await writer.recordTriage(threadID: thread.id, language: thread.language ?? language, automaticAnswers: answers, redirectedAt: nil)
                _ = try await AuditLog.append(
                    AuditEvent(
                        actor: "system", role: "system", action: "reply.automatic", threadID: thread.id,
                        details: ["message": outbound.messageID, "rule": "voice_text", "language": language.rawValue]),
                    at: Date(storeTime: now), writer: writer)
                return (.started, thread.id)
            }
        } catch is VoiceTextRefused {
            outcome = (.refused, nil)
        }
        if let threadID = outcome.1 { await events.publish(.threadMessage(threadID: threadID), to: LiveEvents.staffChannel) }
        logger.info("voice menu: text chosen", metadata: ["outcome": "\(outcome.0)"])
        return outcome.0
    }
}

/// Abandons the transaction of a text the reply rules refuse.
private struct VoiceTextRefused: Error {}
