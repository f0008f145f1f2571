import Foundation
import RelayModel

/// Reads of the SMS outbox: entries, claims, outcomes, inside one consistent snapshot.
public protocol OutboxReading {
    /// The outbox entry of an outbound message.
    func outbox(messageID: String) async throws -> OutboxRecord?
    /// The outbox states of these messages (those that have an entry), by message id: one query.
    func outboxStates(messageIDs: [String]) async throws -> [String: OutboxState]
    /// The outbox entry with this provider id hash.
    func outbox(providerIndex: [UInt8]) async throws -> OutboxRecord?
    /// Queued entries due at `time`, oldest first.
    func dueOutbox(at time: StoreTime, limit: Int) async throws -> [OutboxRecord]
}

/// Writes of the SMS outbox: entries, claims, outcomes, inside one transaction.
public protocol OutboxWriting: OutboxReading {
    /// Inserts an outbox entry.
    func insert(_ outbox: OutboxRecord) async throws
    /// Replaces an outbox entry's mutable fields.
    func update(_ outbox: OutboxRecord) async throws
    /// Turns every `sending` entry claimed (last updated) at or before `claimedBefore` into
    /// `unknown` (after a crash). Returns how many.
    func markInFlightOutboxUnknown(claimedBefore: StoreTime, at time: StoreTime) async throws -> Int
    /// Fails every queued outbox entry of the contact's threads with `code`. Returns how many.
    @discardableResult
    func failQueuedOutbox(contactID: String, code: String, at time: StoreTime) async throws -> Int
}
