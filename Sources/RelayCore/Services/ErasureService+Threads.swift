import Foundation
import Logging
import RelayModel
import RelayStore

/// What erasing a thread did.
public struct ErasureReceipt: Sendable, Equatable {
    /// The thread.
    public var threadID: String
    /// How many messages were destroyed.
    public var messagesDeleted: Int
    /// Whether the WAL was checkpointed and truncated at once (false if a reader held it: retried
    /// in the background until it succeeds, see ``WALTruncation``).
    public var walTruncated: Bool
}

extension ErasureService {
    /// Crypto-shreds a thread: deletes its wrapped data key and its ciphertext in one transaction,
    /// then checkpoints the WAL with TRUNCATE so the overwritten pages are the only copies left.
    public func eraseThread(id threadID: String) async throws -> ErasureReceipt {
        let now = clock.now().storeTime
        guard let deleted = try await store.write({ try await $0.eraseThread(id: threadID, at: now) }) else {
            throw RelayError.threadNotFound
        }
        // Retried in the background until it succeeds when a reader blocks it.
        let truncated = await walTruncation.truncate()
        logger.debug("thread erased", metadata: ["thread.id": "\(threadID)", "messages.deleted": "\(deleted)"])
        return ErasureReceipt(threadID: threadID, messagesDeleted: deleted, walTruncated: truncated)
    }
}
