/// Envelope encryption over a keyring: data keys wrapped by the current key-encryption key,
/// messages sealed with their thread's data key and bound to their thread, id, direction and
/// data-key version.
///
/// ```swift
/// let envelope = Envelope(keyring: keyring)
/// let (key, wrapped) = envelope.newDataKey(owner: threadID)
/// let sealed = envelope.seal(Array(body.utf8), with: key, context: SealContext(threadID: threadID, messageID: id, direction: "inbound"))
/// ```
public struct Envelope: Sendable {
    /// The keyring whose key-encryption keys wrap data keys.
    public let keyring: Keyring

    /// Creates an envelope over a keyring.
    public init(keyring: Keyring) {
        self.keyring = keyring
    }

    /// A fresh data key for `owner` (a thread or contact id) and its wrapped form under the current KEK.
    public func newDataKey(owner: String) -> (DataKey, WrappedKey) {
        let key = DataKey.random()
        return (key, wrap(key, owner: owner))
    }

    /// Wraps a data key under the current key-encryption key, bound to its owner.
    public func wrap(_ key: DataKey, owner: String) -> WrappedKey {
        let kek = keyring.currentKEK
        let ad = AssociatedData.make("saferelay.datakey.v1", [owner], version: kek.version)
        let sealed = key.key.secret.withUnsafeBytes { raw in
            AEAD.seal(raw: raw, associatedData: ad + versionBytes(key.version), key: kek.key.secret)
        }
        return WrappedKey(kekVersion: kek.version, dataKeyVersion: key.version, sealed: sealed)
    }

    /// Unwraps a stored data key for `owner`; fails if it was wrapped for another owner, if its
    /// KEK version is not in the keyring, or if any byte changed.
    public func unwrap(_ wrapped: WrappedKey, owner: String) throws -> DataKey {
        guard let kek = keyring.kek(version: wrapped.kekVersion) else {
            throw KeyringError.unknownKEKVersion(wrapped.kekVersion)
        }
        let ad = AssociatedData.make("saferelay.datakey.v1", [owner], version: kek.version)
        let length = try AEAD.plaintextLength(ofSealed: wrapped.sealed.count)
        guard length == SymmetricKey.byteCount else { throw CryptoError.malformedCiphertext }
        let secret = SecureBytes(count: length)
        try secret.initialise { out in
            try wrapped.sealed.withUnsafeBytes { box in
                try AEAD.open(raw: box, associatedData: ad + versionBytes(wrapped.dataKeyVersion), key: kek.key.secret, into: out)
            }
        }
        return DataKey(key: SymmetricKey(secret: secret), version: wrapped.dataKeyVersion)
    }

    /// Re-wraps a stored data key under the current KEK (key rotation). The data key itself, and so
    /// every message sealed with it, is unchanged.
    public func rewrap(_ wrapped: WrappedKey, owner: String) throws -> WrappedKey {
        wrap(try unwrap(wrapped, owner: owner), owner: owner)
    }

    /// Seals a message body with a data key, bound to `context` and the data key's version.
    public func seal(_ plaintext: some Collection<UInt8>, with key: DataKey, context: SealContext) -> [UInt8] {
        AEAD.seal(plaintext, associatedData: Self.associatedData(context, version: key.version), key: key.key)
    }

    /// Opens a sealed message body; throws `CryptoError.authenticationFailed` if it was moved or altered.
    public func open(_ sealed: some Collection<UInt8>, with key: DataKey, context: SealContext) throws -> [UInt8] {
        try AEAD.open(sealed, associatedData: Self.associatedData(context, version: key.version), key: key.key)
    }

    /// The associated data of a message: thread id, message id, direction and data-key version.
    public static func associatedData(_ context: SealContext, version: UInt32) -> [UInt8] {
        AssociatedData.make("saferelay.message.v1", [context.threadID, context.messageID, context.direction], version: version)
    }

    private func versionBytes(_ version: UInt32) -> [UInt8] {
        withUnsafeBytes(of: version.bigEndian, Array.init)
    }
}
