import Foundation
import RelayModel

/// Reads of wrapped data keys (rotation, retirement), inside one consistent snapshot.
public protocol KeysReading {
    /// How many data keys (threads and contacts) are wrapped under each KEK version.
    func wrappedKeyCounts() async throws -> [UInt32: Int]
    /// Up to `limit` wrapped keys not under `kekVersion`, for rotation.
    func keys(notWrappedUnder kekVersion: UInt32, limit: Int) async throws -> [OwnedKey]
    /// Up to `limit` wrapped keys under `kekVersion` (to check that a keyring opens this store).
    func keys(wrappedUnder kekVersion: UInt32, limit: Int) async throws -> [OwnedKey]
}

/// Writes of wrapped data keys (rotation, retirement), inside one transaction.
public protocol KeysWriting: KeysReading {
    /// Replaces a wrapped key (rotation). Returns false if the owner no longer has a key.
    @discardableResult
    func replaceKey(of owner: KeyOwner, with key: StoredKey, expectedKEKVersion: UInt32) async throws -> Bool
}
