import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// An SMS ready to hand to the provider, decrypted only for this attempt.
public struct OutboundSMS: Sendable {
    /// The outbox entry (already durably marked `sending`).
    public let outboxID: String
    /// The outbound message.
    public let messageID: String
    /// E.164 recipient.
    public let to: String
    /// The text, exactly as the advocate wrote it.
    public let body: String
    /// The channel that carries it: `sms` (also a report's number) or `email`.
    public var channel: ChannelKind = .sms
    /// For email: the thread's reply token, from which the provider client makes the per-thread
    /// reply address (`reply+TOKEN@domain`) so that an answer threads without any stored message id.
    public var replyToken: String? = nil

    /// Creates an outbound SMS.
    public init(outboxID: String, messageID: String, to: String, body: String) {
        self.outboxID = outboxID
        self.messageID = messageID
        self.to = to
        self.body = body
    }
}

/// How a provider call ended, as the outbox must record it.
public enum SendOutcome: Sendable, Equatable {
    /// Accepted; the provider's message id.
    case accepted(providerMessageID: String)
    /// Not sent; safe to try again (rate limited, 5xx, could not connect).
    case retry(code: String)
    /// Will never be sent (e.g. 21610 opted out). `optedOut` records the contact's opt-out.
    case permanentFailure(code: String, optedOut: Bool)
    /// The request may or may not have reached the provider (timeout, connection lost): never re-sent automatically.
    case unknown(reason: String)
}

extension OutboxService {
    /// Attempts before a retriable failure becomes `failed`.
    public static let maximumSendAttempts = 6

    /// How long an entry may stay `sending` on a store other instances share before it counts as
    /// left by a crash: far longer than a send may take (the provider's timeout is 15 seconds).
    public static let inFlightLease: TimeInterval = 120

    /// After a crash: entries left `sending` become `unknown`, shown to advocates, never re-sent.
    /// On a store only this process opens (SQLite), every such entry is a crash's; on a shared one
    /// (PostgreSQL), only those claimed longer than ``inFlightLease`` ago: a send another instance
    /// has under way is left alone. The dispatcher asks again every so often there, since the
    /// instance that crashed may never come back.
    @discardableResult
    public func recoverInFlight() async throws -> Int {
        let now = clock.now()
        let claimedBefore = store.isShared ? now.addingTimeInterval(-Self.inFlightLease).storeTime : .max
        let nowTime = now.storeTime
        let count = try await store.write { writer in
            let marked = try await writer.markInFlightOutboxUnknown(claimedBefore: claimedBefore, at: nowTime)
            if marked > 0 { try await writer.unhideUndeliveredRedirects(threadID: nil) }
            return marked
        }
        if count > 0 { logger.warning("outbox entries in flight at a crash marked unknown", metadata: ["outbox.unknown": "\(count)"]) }
        return count
    }

    /// Claims up to `limit` due entries: in one transaction each is marked `sending` (and its attempt
    /// counted) before anything is decrypted or sent, so a crash from here on can only make it `unknown`.
    public func claimDue(limit: Int = 16) async throws -> [OutboundSMS] {
        let now = clock.now().storeTime
        let envelope = self.envelope
        let replyTokens = EmailReplyTokens(keyring: keyring)
        return try await store.write { writer -> [OutboundSMS] in
            var claimed: [OutboundSMS] = []
            for var entry in try await writer.dueOutbox(at: now, limit: limit) {
                entry.attempts += 1
                entry.updatedAt = now
                guard let message = try await writer.message(id: entry.messageID), let thread = try await writer.thread(id: entry.threadID),
                    let threadKey = thread.key, let contactID = thread.contactID, let contact = try await writer.contact(id: contactID),
                    let contactKey = contact.key
                else {
                    entry.state = .failed
                    entry.errorCode = "not_sendable"
                    try await writer.update(entry)
                    try await writer.unhideUndeliveredRedirects(threadID: entry.threadID)
                    continue
                }
                // The contact's flags are checked again at send time: one set after the reply was
                // queued still stops it.
                if let refusal = Self.sendRefusal(contact: contact, thread: thread, entry: entry) {
                    entry.state = .failed
                    entry.errorCode = refusal.rawValue
                    try await writer.update(entry)
                    try await writer.unhideUndeliveredRedirects(threadID: entry.threadID)
                    continue
                }
                do {
                    let key = try envelope.unwrap(threadKey.wrapped, owner: thread.id)
                    let body = try envelope.open(
                        message.sealedBody, with: key,
                        context: .message(threadID: thread.id, messageID: message.id, direction: .outbound))
                    let addressKey = try envelope.unwrap(contactKey.wrapped, owner: contact.id)
                    let address = try envelope.open(contact.sealedAddress, with: addressKey, context: .contactAddress(contact.id))
                    entry.state = .sending
                    try await writer.update(entry)
                    var outbound = OutboundSMS(
                        outboxID: entry.id, messageID: message.id, to: String(decoding: address, as: UTF8.self),
                        body: String(decoding: body, as: UTF8.self))
                    if contact.channel == .email {
                        outbound.channel = .email
                        outbound.replyToken = replyTokens.token(threadID: thread.id)
                    }
                    claimed.append(outbound)
                } catch {
                    entry.state = .failed
                    entry.errorCode = "undecryptable"
                    try await writer.update(entry)
                    try await writer.unhideUndeliveredRedirects(threadID: entry.threadID)
                }
            }
            return claimed
        }
    }

    /// The last look before the provider is called: a reply claimed a moment ago is still sendable
    /// only if its message and contact still exist and no flag has been set since. If not, the entry
    /// is failed with the reason and `false` returned (nothing was sent).
    public func confirmSendable(_ sms: OutboundSMS) async throws -> Bool {
        let now = clock.now().storeTime
        let messageID = sms.messageID
        let outboxID = sms.outboxID
        @Sendable func refusal(_ reader: any StoreReader) async throws -> (OutboxRecord, String)?? {
            // Gone with an erased message, or no longer ours to send: nothing goes out (`nil`).
            guard let entry = try await reader.outbox(messageID: messageID), entry.id == outboxID, entry.state == .sending else { return nil }
            let thread = try await reader.thread(id: entry.threadID)
            let contact = if let contactID = thread?.contactID { try await reader.contact(id: contactID) } else { ContactRecord?.none }
            let reason: String? = if let contact, let thread {
                Self.sendRefusal(contact: contact, thread: thread, entry: entry)?.rawValue
            } else {
                "not_sendable"
            }
            return .some(reason.map { (entry, $0) })
        }
        // A read first: the common case (still sendable) takes no write lock.
        guard let found = try await store.read(refusal) else { return false }
        guard found != nil else { return true }
        try await store.write { writer in
            guard case .some(.some((var entry, let reason))) = try await refusal(writer) else { return }
            entry.state = .failed
            entry.errorCode = reason
            entry.updatedAt = now
            try await writer.update(entry)
            try await writer.unhideUndeliveredRedirects(threadID: entry.threadID)
        }
        return false
    }

    /// Why a queued reply may no longer go out, if it may not.
    static func sendRefusal(contact: ContactRecord, thread: ThreadRecord, entry: OutboxRecord) -> ReplyRefusal? {
        if thread.eraseRequestedAt != nil { return .eraseRequested }
        if contact.safety.doNotContact { return .doNotContact }
        if contact.optedOut { return .optedOut }
        if contact.safety.textNeedsOverride && !entry.cautionOverride { return .safetyOverrideRequired }
        return nil
    }

    /// Records how an attempt ended.
    public func recordSendOutcome(outboxID: String, messageID: String, _ outcome: SendOutcome) async throws {
        let now = clock.now().storeTime
        let providerIndexKey = keyring.blindIndex(.providerMessageID)
        let result = try await store.write { writer -> (OutboxState, String)? in
            guard var entry = try await writer.outbox(messageID: messageID), entry.id == outboxID, entry.state == .sending else { return nil }
            entry.updatedAt = now
            switch outcome {
            case .accepted(let providerID):
                entry.state = .sent
                entry.providerIndex = Data(providerIndexKey.index(providerID))
                entry.errorCode = nil
            case .retry(let code):
                entry.errorCode = code
                if entry.attempts >= Self.maximumSendAttempts {
                    entry.state = .failed
                } else {
                    entry.state = .queued
                    let delay = min(60_000, 1_000 << min(entry.attempts - 1, 6))
                    entry.nextAttemptAt = now + StoreTime(delay)
                }
            case .permanentFailure(let code, let optedOut):
                entry.state = .failed
                entry.errorCode = code
                if optedOut, let contactID = try await writer.thread(id: entry.threadID)?.contactID {
                    try await writer.setOptedOut(contactID: contactID, true)
                }
            case .unknown(let reason):
                entry.state = .unknown
                entry.errorCode = reason
            }
            try await writer.update(entry)
            // A redirect whose answer did not arrive (or may not have) must not hide the person.
            if entry.state == .failed || entry.state == .unknown { try await writer.unhideUndeliveredRedirects(threadID: entry.threadID) }
            return (entry.state, entry.threadID)
        }
        if let (state, threadID) = result {
            await events.publish(.replyStatus(threadID: threadID, messageID: messageID, state: state.rawValue), to: LiveEvents.staffChannel)
        }
        logger.info("outbox attempt recorded", metadata: ["message.id": "\(messageID)", "outbox.state": "\(result?.0.rawValue ?? "stale")"])
    }

    /// Applies a provider delivery callback. Only moves forward: `sent` → `delivered` or `failed`.
    @discardableResult
    public func recordDeliveryStatus(providerMessageID: String, status: String, errorCode: String?) async throws -> OutboxState? {
        let index = keyring.blindIndex(.providerMessageID).index(providerMessageID)
        let now = clock.now().storeTime
        return try await store.write { writer -> OutboxState? in
            guard var entry = try await writer.outbox(providerIndex: index) else { return nil }
            let next: OutboxState? = switch status.lowercased() {
            case "delivered", "read": .delivered
            case "undelivered", "failed": .failed
            default: nil
            }
            guard let next, [.sent, .sending, .unknown].contains(entry.state) else { return entry.state }
            entry.state = next
            entry.errorCode = errorCode.flatMap { $0.isEmpty ? nil : String($0.prefix(16)) }
            entry.updatedAt = now
            try await writer.update(entry)
            if next == .failed { try await writer.unhideUndeliveredRedirects(threadID: entry.threadID) }
            return next
        }
    }

    /// The outbox state of an outbound message (what the advocate sees).
    public func state(messageID: String) async throws -> OutboxState? {
        try await store.read { try await $0.outbox(messageID: messageID)?.state }
    }

    /// Decrypts a contact's address (only to send a reply).
    func contactAddress(contactID: String) async throws -> ContactAddress {
        guard let contact = try await store.read({ try await $0.contact(id: contactID) }) else { throw RelayError.threadNotFound }
        guard let stored = contact.key else { throw RelayError.threadErased }
        guard let key = try? envelope.unwrap(stored.wrapped, owner: contact.id),
            let plain = try? envelope.open(contact.sealedAddress, with: key, context: .contactAddress(contact.id))
        else { throw RelayError.undecryptable }
        return ContactAddress(channel: contact.channel, normalised: String(decoding: plain, as: UTF8.self))
    }
}
