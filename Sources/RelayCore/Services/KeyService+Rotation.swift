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

/// The keyring does not open this store: it lacks versions the store's keys are wrapped under, or
/// a version of the same number is a different key (a new keyring beside an old database).
public struct KeyringMismatch: Error, Equatable, CustomStringConvertible {
    /// KEK versions the store uses that the keyring lacks.
    public var missing: [UInt32]
    /// KEK versions the keyring has under which a sample key from the store would not unwrap.
    public var wrong: [UInt32]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("the keyring lacks key-encryption key version(s) \(missing.map(String.init).joined(separator: ", "))") }
        if !wrong.isEmpty { parts.append("version(s) \(wrong.map(String.init).joined(separator: ", ")) of this keyring do not open the store's keys") }
        return parts.joined(separator: "; ") + ": this is not the keyring of this database"
    }
}

/// A KEK version still wraps data keys, or is the current one: it cannot leave the keyring yet.
public struct KeyVersionInUse: Error, Equatable, CustomStringConvertible {
    /// The version.
    public var version: UInt32
    /// Data keys still wrapped under it (0 when it is the current version).
    public var keys: Int

    public var description: String {
        keys == 0
            ? "v\(version) is the current key-encryption key; rotate first"
            : "v\(version) still wraps \(keys) data key(s); run `saferelay keys rotate --resume` first"
    }
}

extension KeyService {
    /// Checks that the keyring opens this store: every KEK version a stored key is wrapped under is
    /// in the keyring, and a sample key of each unwraps. The server refuses to start otherwise, so
    /// that a mistyped keyring path never serves a database it cannot read.
    /// - Throws: ``KeyringMismatch``.
    public func verifyKeyringOpensStore() async throws {
        let keyring = self.keyring
        let envelope = self.envelope
        let mismatch = try await store.read { reader -> KeyringMismatch in
            var mismatch = KeyringMismatch(missing: [], wrong: [])
            for (version, count) in try await reader.wrappedKeyCounts().sorted(by: { $0.key < $1.key }) where count > 0 {
                guard keyring.kek(version: version) != nil else {
                    mismatch.missing.append(version)
                    continue
                }
                for owned in try await reader.keys(wrappedUnder: version, limit: 3) where (try? envelope.unwrap(owned.key.wrapped, owner: owned.owner.id)) == nil {
                    mismatch.wrong.append(version)
                    break
                }
            }
            return mismatch
        }
        if !mismatch.missing.isEmpty || !mismatch.wrong.isEmpty { throw mismatch }
    }

    /// Checks that KEK `version` may leave the keyring: not the current one, and no data key
    /// wrapped under it any more.
    /// - Throws: ``KeyVersionInUse``.
    public func checkRetirable(version: UInt32) async throws {
        guard version != keyring.currentVersion else { throw KeyVersionInUse(version: version, keys: 0) }
        let count = try await store.read { try await $0.wrappedKeyCounts()[version] ?? 0 }
        guard count == 0 else { throw KeyVersionInUse(version: version, keys: count) }
    }

    /// Rewraps every data key not yet under the current key-encryption key, in batches of
    /// `batchSize` per transaction. Message ciphertext is untouched. Safe to interrupt and rerun:
    /// each key is either under its old version or its new one, and the keyring keeps both.
    public func rewrapAllKeys(batchSize: Int = 500, progress: (@Sendable (Int) -> Void)? = nil) async throws -> RewrapReport {
        let current = keyring.currentVersion
        let envelope = self.envelope
        var total = 0
        while true {
            let count = try await store.write { writer -> Int in
                let batch = try await writer.keys(notWrappedUnder: current, limit: batchSize)
                for owned in batch {
                    let rewrapped = try envelope.rewrap(owned.key.wrapped, owner: owned.owner.id)
                    try await writer.replaceKey(of: owned.owner, with: StoredKey(rewrapped), expectedKEKVersion: owned.key.kekVersion)
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
