/// One version of the key-encryption key.
public struct KeyEncryptionKey: Sendable {
    /// Version number, starting at 1 and increasing by one at each rotation.
    public let version: UInt32
    /// When it was created (RFC 3339, UTC).
    public let createdAt: String
    let key: SymmetricKey

    /// A short non-secret fingerprint.
    public var fingerprint: String { key.fingerprint }
}

/// The keyring: versioned key-encryption keys, the blind-index root key and the audit signing key.
///
/// It lives in `Keys/saferelay.keyring` (mode 0600) or comes from the environment; see
/// ``KeyringFile`` for the format. All key bytes stay in secure memory.
public final class Keyring: Sendable {
    /// Key-encryption keys by version.
    private let keks: [UInt32: KeyEncryptionKey]
    /// The version that wraps new data keys.
    public let currentVersion: UInt32
    /// When the keyring was first created (RFC 3339).
    public let createdAt: String
    let blindIndexRoot: SymmetricKey
    let auditSigningSeed: SecureBytes
    /// The audit log's signing key (Ed25519).
    public let auditSigningKey: SigningKey
    private let blindIndexKeys: [BlindIndexDomain: BlindIndexKey]

    init(keks: [KeyEncryptionKey], currentVersion: UInt32, createdAt: String, blindIndexRoot: SymmetricKey, auditSigningSeed: SecureBytes) {
        var byVersion: [UInt32: KeyEncryptionKey] = [:]
        for kek in keks { byVersion[kek.version] = kek }
        precondition(byVersion[currentVersion] != nil, "current KEK version must exist")
        self.keks = byVersion
        self.currentVersion = currentVersion
        self.createdAt = createdAt
        self.blindIndexRoot = blindIndexRoot
        self.auditSigningSeed = auditSigningSeed
        self.auditSigningKey = SigningKey(seed: auditSigningSeed)
        var indexKeys: [BlindIndexDomain: BlindIndexKey] = [:]
        for domain in BlindIndexDomain.allCases {
            indexKeys[domain] = BlindIndexKey.derive(from: blindIndexRoot, domain: domain)
        }
        self.blindIndexKeys = indexKeys
    }

    /// A brand-new keyring with KEK version 1, a blind-index root and an audit signing key.
    public static func generate(now: String) -> Keyring {
        Keyring(
            keks: [KeyEncryptionKey(version: 1, createdAt: now, key: .random())],
            currentVersion: 1, createdAt: now,
            blindIndexRoot: .random(), auditSigningSeed: .random(count: SigningKey.seedByteCount))
    }

    /// A copy without KEK `version` (after every key it wrapped was rewrapped): a copy of the old
    /// key, from a compromise or an old backup of the keyring, then opens nothing stored here.
    /// `nil` if `version` is the current one or not in the keyring.
    public func retiring(version: UInt32) -> Keyring? {
        guard version != currentVersion, keks[version] != nil else { return nil }
        return Keyring(
            keks: keks.values.filter { $0.version != version }, currentVersion: currentVersion, createdAt: createdAt,
            blindIndexRoot: blindIndexRoot, auditSigningSeed: auditSigningSeed)
    }

    /// A copy with one more KEK version, which becomes current. Earlier versions stay so that
    /// keys wrapped under them can still be opened and rewrapped.
    public func rotated(now: String) -> Keyring {
        let next = (keks.keys.max() ?? 0) + 1
        return Keyring(
            keks: Array(keks.values) + [KeyEncryptionKey(version: next, createdAt: now, key: .random())],
            currentVersion: next, createdAt: createdAt,
            blindIndexRoot: blindIndexRoot, auditSigningSeed: auditSigningSeed)
    }

    /// The current key-encryption key.
    public var currentKEK: KeyEncryptionKey { keks[currentVersion]! }

    /// A KEK by version, if present.
    public func kek(version: UInt32) -> KeyEncryptionKey? { keks[version] }

    /// All KEK versions, oldest first.
    public var kekVersions: [KeyEncryptionKey] { keks.values.sorted { $0.version < $1.version } }

    /// The blind-index key of a domain.
    public func blindIndex(_ domain: BlindIndexDomain) -> BlindIndexKey { blindIndexKeys[domain]! }

    /// A short non-secret fingerprint of the blind-index root.
    public var blindIndexFingerprint: String { blindIndexRoot.fingerprint }
}
