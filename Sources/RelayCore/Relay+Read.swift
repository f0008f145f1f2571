import Foundation
import RelayCrypto
import RelayModel
import RelayStore

/// A decrypted message. It exists only in memory, on its way to an authorised reader.
public struct DecryptedMessage: Sendable, Equatable {
    /// Message id.
    public var id: String
    /// Direction.
    public var direction: MessageDirection
    /// The text.
    public var body: String
    /// When it was stored.
    public var createdAt: Date
}

extension Relay {
    /// Decrypts a thread's messages, oldest first. Callers that serve advocates must audit the
    /// view before calling this.
    public func decryptedMessages(threadID: String) async throws -> [DecryptedMessage] {
        let (thread, records) = try await store.read { reader in
            (try reader.thread(id: threadID), try reader.messages(threadID: threadID))
        }
        guard let thread else { throw RelayError.threadNotFound }
        guard let stored = thread.key else { throw RelayError.threadErased }
        let key: DataKey
        do {
            key = try envelope.unwrap(stored.wrapped, owner: thread.id)
        } catch {
            throw RelayError.undecryptable
        }
        return try records.map { record in
            let context = SealContext(threadID: thread.id, messageID: record.id, direction: record.direction.rawValue)
            guard let plain = try? envelope.open(record.sealedBody, with: key, context: context) else {
                throw RelayError.undecryptable
            }
            return DecryptedMessage(
                id: record.id, direction: record.direction, body: String(decoding: plain, as: UTF8.self),
                createdAt: Date(storeTime: record.createdAt))
        }
    }

    /// Decrypts a contact's address (only to send a reply).
    public func contactAddress(contactID: String) async throws -> ContactAddress {
        guard let contact = try await store.read({ try $0.contact(id: contactID) }) else { throw RelayError.threadNotFound }
        guard let stored = contact.key else { throw RelayError.threadErased }
        guard let key = try? envelope.unwrap(stored.wrapped, owner: contact.id),
            let plain = try? envelope.open(contact.sealedAddress, with: key, context: .contactAddress(contact.id))
        else { throw RelayError.undecryptable }
        return ContactAddress(channel: contact.channel, normalised: String(decoding: plain, as: UTF8.self))
    }
}
