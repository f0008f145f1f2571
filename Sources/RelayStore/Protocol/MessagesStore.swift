import Foundation
import RelayModel

/// Reads of messages: sealed bodies and their delivery hashes, inside one consistent snapshot.
public protocol MessagesReading {
    /// A thread's messages, oldest first.
    func messages(threadID: String) async throws -> [MessageRecord]
    /// The message delivered under this delivery index, if any.
    func message(deliveryIndex: [UInt8]) async throws -> MessageRecord?
    /// A message by id.
    func message(id: String) async throws -> MessageRecord?
    /// Whether a delivery that stored no message (a keyword) was already handled.
    func isHandled(deliveryIndex: [UInt8]) async throws -> Bool
}

/// Writes of messages: sealed bodies and their delivery hashes, inside one transaction.
public protocol MessagesWriting: MessagesReading {
    /// Inserts a new message.
    func insert(_ message: MessageRecord) async throws
    /// Remembers a handled keyword delivery, so a redelivery does nothing.
    func markHandled(deliveryIndex: [UInt8], at time: StoreTime) async throws
    /// Deletes one message (and its outbox entry). Returns false if it did not exist.
    func deleteMessage(id: String) async throws -> Bool
}
