import Logging
import RelayCrypto
import RelayStore

/// What a rewrap pass did.
public struct RewrapReport: Sendable, Equatable {
    /// Data keys rewrapped under the current KEK.
    public var rewrapped: Int
    /// The KEK version now wrapping every key.
    public var kekVersion: UInt32
}

extension Relay {
    /// Rewraps every data key not yet under the current key-encryption key, in batches of
    /// `batchSize` per transaction. Message ciphertext is untouched. Safe to interrupt and rerun:
    /// each key is either under its old version or its new one, and the keyring keeps both.
    public func rewrapAllKeys(batchSize: Int = 500, progress: (@Sendable (Int) -> Void)? = nil) async throws -> RewrapReport {
        let current = keyring.currentVersion
        let envelope = self.envelope
        var total = 0
        while true {
            let count = try await store.write { writer -> Int in
                let batch = try writer.keys(notWrappedUnder: current, limit: batchSize)
                for owned in batch {
                    let rewrapped = try envelope.rewrap(owned.key.wrapped, owner: owned.owner.id)
                    try writer.replaceKey(of: owned.owner, with: StoredKey(rewrapped), expectedKEKVersion: owned.key.kekVersion)
                }
                return batch.count
            }
            total += count
            progress?(total)
            if count < batchSize { break }
        }
        logger.info("data keys rewrapped", metadata: ["keys.rewrapped": "\(total)", "kek.version": "\(current)"])
        return RewrapReport(rewrapped: total, kekVersion: current)
    }
}
