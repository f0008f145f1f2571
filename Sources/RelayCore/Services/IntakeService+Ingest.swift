import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// A message from a survivor, as a channel hands it over.
public struct InboundMessage: Sendable {
    /// Largest body accepted, in UTF-8 bytes (an SMS concatenates to at most 1,600 characters).
    public static let maximumBodyBytes = 8 * 1024
    /// Longest delivery id accepted.
    public static let maximumDeliveryIDBytes = 128

    /// Who wrote, on which channel.
    public var address: ContactAddress
    /// The text.
    public var body: String
    /// The channel's id for this delivery (Twilio MessageSid, webchat idempotency key); a retry with
    /// the same id is stored once.
    public var deliveryID: String?

    /// Creates an inbound message.
    public init(address: ContactAddress, body: String, deliveryID: String?) {
        self.address = address
        self.body = body
        self.deliveryID = deliveryID
    }
}

extension InboundMessage {
    /// Checks the limits ``IntakeService/ingest(_:)`` applies before storing anything.
    /// - Throws: `RelayError.invalidInput` for a body over ``maximumBodyBytes`` or a delivery id
    ///   that is empty or over ``maximumDeliveryIDBytes``.
    public func validate() throws {
        guard body.utf8.count <= Self.maximumBodyBytes else {
            throw RelayError.invalidInput("message body exceeds \(Self.maximumBodyBytes) bytes")
        }
        if let deliveryID {
            guard !deliveryID.isEmpty, deliveryID.utf8.count <= Self.maximumDeliveryIDBytes else {
                throw RelayError.invalidInput("delivery id must be 1 to \(Self.maximumDeliveryIDBytes) bytes")
            }
        }
    }
}

/// What ingesting a message did.
public struct IngestReceipt: Sendable, Equatable {
    /// The stored message.
    public var messageID: String
    /// Its thread.
    public var threadID: String
    /// The contact.
    public var contactID: String
    /// True when this delivery had been stored before and nothing new was written.
    public var duplicate: Bool
    /// True when this message opened a new thread.
    public var newThread: Bool
}

extension IntakeService {
    /// Stores an inbound message durably: finds or creates the contact (by keyed hash of the
    /// address) and its open thread, seals the body with the thread's data key, and commits — all
    /// in one transaction. Returns only after the commit is on disk. A repeated delivery id
    /// returns the first receipt, marked duplicate.
    public func ingest(_ message: InboundMessage) async throws -> IngestReceipt {
        try message.validate()
        let body = Array(message.body.utf8)
        let channel = message.address.channel
        let addressIndex = self.addressIndex(message.address)
        let deliveryIndex = message.deliveryID.map { self.deliveryIndex(channel: channel, deliveryID: $0) }
        let now = clock.now().storeTime
        let envelope = self.envelope
        let address = message.address
        return try await storeInbound(body: body, channel: channel, deliveryIndex: deliveryIndex, at: now) { writer in
            if let known = try await writer.contact(addressIndex: addressIndex) { return known }
            return try await Self.newContact(address: address, addressIndex: addressIndex, now: now, envelope: envelope, writer: writer)
        }
    }

    /// The one transaction behind every inbound message: de-duplicate, resolve the contact, find or
    /// open its thread, seal, insert, touch the reply window. Publishes the message to live streams.
    func storeInbound(
        body: [UInt8], channel: ChannelKind, deliveryIndex: [UInt8]?, at now: StoreTime, declaredLanguage: ConversationLanguage? = nil,
        oneTimeIndex: [UInt8]? = nil, opensWindow: Bool = true, automaticAnswer: Bool = true, triageText: String? = nil,
        contact resolveContact: @escaping @Sendable (any StoreWriter) async throws -> ContactRecord
    ) async throws -> IngestReceipt {
        let envelope = self.envelope
        let settings = self.settings
        let text = String(decoding: body, as: UTF8.self)
        let (receipt, automatic) = try await store.write { writer -> (IngestReceipt, AutomaticReply?) in
            if let deliveryIndex, let existing = try await writer.message(deliveryIndex: deliveryIndex) {
                let thread = try await writer.thread(id: existing.threadID)
                return (IngestReceipt(
                    messageID: existing.id, threadID: existing.threadID, contactID: thread?.contactID ?? "",
                    duplicate: true, newThread: false), nil)
            }
            // A delivery whose message was since deleted, erased or purged must not come back on a late retry.
            if let deliveryIndex, try await writer.isHandled(deliveryIndex: deliveryIndex) {
                return (IngestReceipt(messageID: "", threadID: "", contactID: "", duplicate: true, newThread: false), nil)
            }
            // A one-time value of the provider's signature (a webhook token) used before: a replay.
            if let oneTimeIndex {
                guard try await !writer.isHandled(deliveryIndex: oneTimeIndex) else { throw RelayError.unauthorized }
                try await writer.markHandled(deliveryIndex: oneTimeIndex, at: now)
            }
            let contact = try await resolveContact(writer)
            // A supervisor's block: nothing is stored and nothing answered until it ends.
            if let until = contact.blockedUntil, until > now { throw RelayError.contactBlocked }

            let threadKey: DataKey
            let thread: ThreadRecord
            var newThread = false
            if let open = try await writer.openThread(contactID: contact.id, channel: channel), let stored = open.key {
                threadKey = try envelope.unwrap(stored.wrapped, owner: open.id)
                thread = open
            } else {
                let threadID = RandomToken.timeOrderedIdentifier(milliseconds: UInt64(max(0, now)))
                let (key, wrapped) = envelope.newDataKey(owner: threadID)
                threadKey = key
                newThread = true
                thread = ThreadRecord(
                    id: threadID, contactID: contact.id, channel: channel, state: .open, key: StoredKey(wrapped),
                    openedAt: now, lastActivityAt: now)
                try await writer.insert(thread)
            }
            let threadID = thread.id

            let messageID = RandomToken.timeOrderedIdentifier(milliseconds: UInt64(max(0, now)))
            let sealed = envelope.seal(
                body, with: threadKey,
                context: .message(threadID: threadID, messageID: messageID, direction: .inbound))
            try await writer.insert(MessageRecord(
                id: messageID, threadID: threadID, direction: .inbound, sealedBody: Data(sealed),
                deliveryIndex: deliveryIndex.map { Data($0) }, createdAt: now))
            if let deliveryIndex { try await writer.markHandled(deliveryIndex: deliveryIndex, at: now) }
            try await writer.touchThread(id: threadID, at: now, inbound: opensWindow)
            let (_, automatic) = try await Self.applyTriage(
                text: triageText ?? text, thread: thread, isNew: newThread, contact: contact, at: now, declaredLanguage: declaredLanguage,
                answering: automaticAnswer && opensWindow, settings: settings, envelope: envelope, writer: writer)
            return (IngestReceipt(messageID: messageID, threadID: threadID, contactID: contact.id, duplicate: false, newThread: newThread), automatic)
        }
        if !receipt.duplicate {
            await events.publish(.message(id: receipt.messageID, from: .inbound, text: text, at: Date(storeTime: now)), to: receipt.contactID)
            if let automatic, automatic.outboxState == nil {
                await events.publish(.message(id: automatic.messageID, from: .outbound, text: automatic.text, at: Date(storeTime: now)), to: receipt.contactID)
            }
            await events.publish(.threadMessage(threadID: receipt.threadID), to: LiveEvents.staffChannel)
        }
        logger.debug(
            "inbound message stored",
            metadata: [
                "message.id": "\(receipt.messageID)", "thread.id": "\(receipt.threadID)",
                "channel": "\(channel.rawValue)", "duplicate": "\(receipt.duplicate)",
            ])
        return receipt
    }

    static func newContact(
        address: ContactAddress, addressIndex: [UInt8], now: StoreTime, envelope: Envelope, writer: any StoreWriter
    ) async throws -> ContactRecord {
        let contactID = RandomToken.timeOrderedIdentifier(milliseconds: UInt64(max(0, now)))
        let (key, wrapped) = envelope.newDataKey(owner: contactID)
        let sealedAddress = envelope.seal(Array(address.normalised.utf8), with: key, context: .contactAddress(contactID))
        var contact = ContactRecord(
            id: contactID, channel: address.channel, addressIndex: Data(addressIndex), sealedAddress: Data(sealedAddress),
            key: StoredKey(wrapped), pseudonym: Pseudonym.random(), createdAt: now)
        // A policy may keep do-not-contact (as a keyed hash only) after the person's content is purged.
        contact.safety.doNotContact = try await writer.isSuppressed(addressIndex: addressIndex)
        try await writer.insert(contact)
        return contact
    }
}

extension StoredKey {
    /// The store's form of a wrapped key.
    init(_ wrapped: WrappedKey) {
        self.init(kekVersion: wrapped.kekVersion, keyVersion: wrapped.dataKeyVersion, sealed: Data(wrapped.sealed))
    }

    /// The crypto module's form of a stored key.
    var wrapped: WrappedKey {
        WrappedKey(kekVersion: kekVersion, dataKeyVersion: keyVersion, sealed: Array(sealed))
    }
}
