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

/// Every sealing context in one place (what a ciphertext is bound to), and decryption of stored
/// messages. Internal: callers that serve people go through a use case that audits first.
struct Sealing: RelayService {
    let context: RelayContext
}

extension Sealing {
    /// Decrypts a thread's messages, oldest first. Callers that serve advocates must audit the
    /// view before calling this.
    func decryptedMessages(threadID: String) async throws -> [DecryptedMessage] {
        let (thread, records) = try await store.read { reader in
            (try await reader.thread(id: threadID), try await reader.messages(threadID: threadID))
        }
        guard let thread else { throw RelayError.threadNotFound }
        return try open(records, of: thread)
    }

    /// Decrypts messages read with their thread (in memory: no store access).
    func open(_ records: [MessageRecord], of thread: ThreadRecord) throws -> [DecryptedMessage] {
        guard let stored = thread.key else { throw RelayError.threadErased }
        let key: DataKey
        do {
            key = try envelope.unwrap(stored.wrapped, owner: thread.id)
        } catch {
            throw RelayError.undecryptable
        }
        return try records.map { record in
            let context = SealContext.message(threadID: thread.id, messageID: record.id, direction: record.direction)
            guard let plain = try? envelope.open(record.sealedBody, with: key, context: context) else {
                throw RelayError.undecryptable
            }
            return DecryptedMessage(
                id: record.id, direction: record.direction, body: String(decoding: plain, as: UTF8.self),
                createdAt: Date(storeTime: record.createdAt))
        }
    }
}

extension SealContext {
    /// A message: bound to its thread, its id and its direction.
    static func message(threadID: String, messageID: String, direction: MessageDirection) -> SealContext {
        SealContext(threadID: threadID, messageID: messageID, direction: direction.rawValue)
    }

    /// A contact's address (sealed with the contact's own key, only to send replies).
    static func contactAddress(_ contactID: String) -> SealContext {
        SealContext(threadID: contactID, messageID: "address", direction: "contact")
    }

    /// A contact's case record.
    static func caseRecord(_ contactID: String) -> SealContext {
        SealContext(threadID: contactID, messageID: "case", direction: "record")
    }

    /// A staff account's TOTP secret.
    static func totp(accountID: String) -> SealContext {
        SealContext(threadID: accountID, messageID: "totp", direction: "account")
    }
}
