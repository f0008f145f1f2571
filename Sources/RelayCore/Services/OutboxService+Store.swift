import Foundation
import RelayCrypto
import RelayModel
import RelayStore

/// One outbound message as stored inside a caller's transaction.
struct StoredOutbound: Sendable, Equatable {
    /// The message.
    var messageID: String
    /// The outbox state for a message a provider carries (`queued`); `nil` for one shown in the
    /// survivor's open session (webchat, a report resumed in the webchat).
    var outboxState: OutboxState?
}

extension OutboxService {
    /// Whether a thread's replies go out through a provider (and so through the outbox): SMS, email,
    /// and a report that left a number; webchat replies (and a report's resumed in the webchat) are
    /// shown in the survivor's own session instead.
    static func carriedByProvider(thread: ThreadRecord, contact: ContactRecord) -> Bool {
        switch thread.channel {
        case .sms, .email: true
        case .webchat: false
        case .webform: contact.channel == .sms
        }
    }

    /// Seals `text` as an outbound message on `thread` and, if a provider carries it, queues it in
    /// the outbox: the part of every reply (an advocate's or an automatic answer) that writes. The
    /// caller has already applied ``ReplyGate`` in the same transaction.
    static func storeOutbound(
        text: String, thread: ThreadRecord, contact: ContactRecord, cautionOverride: Bool, at now: StoreTime, envelope: Envelope,
        writer: any StoreWriter
    ) async throws -> StoredOutbound {
        guard let storedKey = thread.key else { throw ReplyRefusal.threadErased }
        let key = try envelope.unwrap(storedKey.wrapped, owner: thread.id)
        let messageID = RandomToken.timeOrderedIdentifier(milliseconds: UInt64(max(0, now)))
        let sealed = envelope.seal(Array(text.utf8), with: key, context: .message(threadID: thread.id, messageID: messageID, direction: .outbound))
        try await writer.insert(MessageRecord(
            id: messageID, threadID: thread.id, direction: .outbound, sealedBody: Data(sealed), deliveryIndex: nil, createdAt: now))
        try await writer.touchThread(id: thread.id, at: now, inbound: false)
        guard carriedByProvider(thread: thread, contact: contact) else { return StoredOutbound(messageID: messageID, outboxState: nil) }
        try await writer.insert(OutboxRecord(
            id: RandomToken.timeOrderedIdentifier(milliseconds: UInt64(max(0, now))), messageID: messageID, threadID: thread.id, state: .queued,
            nextAttemptAt: now, createdAt: now, updatedAt: now, cautionOverride: cautionOverride))
        return StoredOutbound(messageID: messageID, outboxState: .queued)
    }

    /// The longest reply a thread's channel carries.
    static func characterLimit(thread: ThreadRecord, contact: ContactRecord, settings: RelaySettings) -> Int {
        switch thread.channel {
        case .sms: settings.maximumSMSCharacters
        case .webchat, .email: settings.maximumWebchatCharacters
        case .webform: contact.channel == .sms ? settings.maximumSMSCharacters : settings.maximumWebchatCharacters
        }
    }
}
