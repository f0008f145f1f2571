import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// Why a reply may not go out. Each is shown to the advocate as it is.
public enum ReplyRefusal: String, Error, Sendable, Equatable, CustomStringConvertible {
    /// The survivor's window is closed (no SMS within the window, or no live webchat session).
    case windowClosed = "window_closed"
    /// The contact is flagged do-not-contact (on this or any of their threads).
    case doNotContact = "do_not_contact"
    /// The contact's phone may be monitored, or texting is not safe: only an explicit override with a reason sends.
    case safetyOverrideRequired = "safety_override_required"
    /// The survivor opted out (STOP); texting them is forbidden.
    case optedOut = "opted_out"
    /// The thread's content was erased or its contact is gone.
    case threadErased = "thread_erased"
    /// The survivor asked for the conversation to be erased (a legal hold keeps it for now).
    case eraseRequested = "erase_requested"
    /// A report that left no way back (no resume phrase, no number): nobody can be answered.
    case noWayBack = "no_way_back"

    public var description: String {
        switch self {
        case .windowClosed: "the survivor's reply window is closed; wait until they write again"
        case .doNotContact: "the contact is flagged do-not-contact"
        case .safetyOverrideRequired:
            "the contact's phone may be monitored or texting is not safe; send only with an override and a reason (override_reason)"
        case .optedOut: "the survivor opted out of texts (STOP)"
        case .threadErased: "the conversation has been erased"
        case .eraseRequested: "the survivor asked for this conversation to be erased; a legal hold keeps it, but nobody may contact them"
        case .noWayBack: "the report left no way to answer (no resume phrase, no number)"
        }
    }
}

/// What queuing a reply did.
public struct ReplyReceipt: Sendable, Equatable {
    /// The stored outbound message.
    public var messageID: String
    /// Its thread.
    public var threadID: String
    /// The channel it goes out on.
    public var channel: ChannelKind
    /// For SMS, the outbox state (`queued`); webchat replies are delivered at once (`nil`).
    public var outboxState: OutboxState?
}

extension OutboxService {
    /// Stores a discreet reply and queues it on the thread's channel, if the channel rules allow:
    /// the survivor's window is open, the contact is not do-not-contact and has not opted out, and an
    /// SMS to a phone flagged monitored or not safe to text carries an explicit override (`override`,
    /// a reason, audited with the reply; only an advocate may give one). The text goes out exactly as
    /// written. Throws `ReplyRefusal` otherwise (``ReplyGate``, the rule a thread view shows),
    /// changing nothing.
    func queueReply(threadID: String, text: String, by identity: StaffIdentity? = nil, override: String? = nil) async throws -> ReplyReceipt {
        let now = clock.now()
        let nowTime = now.storeTime
        let settings = self.settings
        let envelope = self.envelope
        guard !text.trimmingWhitespace().isEmpty else { throw RelayError.invalidInput("a reply cannot be empty") }
        let overrideReason = try override.map { reason -> String in
            let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard identity != nil, (1...200).contains(trimmed.count) else {
                throw RelayError.invalidInput("an override needs a reason of 1 to 200 characters")
            }
            return trimmed
        }

        let receipt = try await store.write { writer -> (ReplyReceipt, String) in
            guard let thread = try await writer.thread(id: threadID) else { throw RelayError.threadNotFound }
            let contact = if let contactID = thread.contactID { try await writer.contact(id: contactID) } else { ContactRecord?.none }
            let gate = ReplyGate(settings: settings)
            let sessionOpen = try await gate.webchatSessionOpen(for: thread, at: nowTime, reader: writer)
            if let refusal = gate.refusal(
                thread: thread, contact: contact, webchatSessionOpen: sessionOpen, at: nowTime, hasOverride: overrideReason != nil)
            {
                throw refusal
            }
            guard let contact else { throw ReplyRefusal.threadErased }
            let limit = Self.characterLimit(thread: thread, contact: contact, settings: settings)
            guard text.count <= limit else { throw RelayError.invalidInput("a reply on this channel is at most \(limit) characters") }
            // An override given where none is needed is not recorded as one.
            let cautionOverride = Self.carriedByProvider(thread: thread, contact: contact) && contact.safety.textNeedsOverride
            let stored = try await Self.storeOutbound(
                text: text, thread: thread, contact: contact, cautionOverride: cautionOverride, at: nowTime, envelope: envelope, writer: writer)
            let messageID = stored.messageID
            if let identity {
                // The reply, its first-response mark and its audit event commit together.
                try await writer.markFirstResponse(threadID: thread.id, at: nowTime)
                var details = ["message": messageID]
                if cautionOverride { details["override"] = "phone_safety" }
                _ = try await AuditLog.append(
                    AuditEvent(
                        actor: identity.name, role: identity.role.rawValue, action: "reply.send", threadID: thread.id,
                        purpose: cautionOverride ? overrideReason : nil, details: details),
                    at: now, writer: writer)
            }
            let state = stored.outboxState
            let contactID = contact.id
            return (ReplyReceipt(messageID: messageID, threadID: thread.id, channel: thread.channel, outboxState: state), contactID)
        }
        if receipt.0.outboxState == nil {
            await events.publish(.message(id: receipt.0.messageID, from: .outbound, text: text, at: Date(storeTime: nowTime)), to: receipt.1)
        }
        logger.debug("reply queued", metadata: ["message.id": "\(receipt.0.messageID)", "channel": "\(receipt.0.channel.rawValue)"])
        return receipt.0
    }
}
