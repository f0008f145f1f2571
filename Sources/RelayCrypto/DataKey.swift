/// A per-thread (or per-contact) data key: random, 256-bit, held only in secure memory, and stored
/// only wrapped by a key-encryption key of the keyring. Destroying its wrapped form crypto-shreds
/// everything sealed with it.
public final class DataKey: Sendable {
    let key: SymmetricKey
    /// The data key's own version; it is bound into every message sealed with it and does not
    /// change when the key-encryption key is rotated.
    public let version: UInt32

    init(key: SymmetricKey, version: UInt32) {
        self.key = key
        self.version = version
    }

    /// A fresh random data key.
    public static func random(version: UInt32 = 1) -> DataKey {
        DataKey(key: .random(), version: version)
    }
}

/// A data key sealed under one version of the key-encryption key.
public struct WrappedKey: Sendable, Equatable {
    /// The key-encryption key version that opens it.
    public var kekVersion: UInt32
    /// The data key's own version.
    public var dataKeyVersion: UInt32
    /// The sealed key bytes (an `AEAD` box).
    public var sealed: [UInt8]

    /// Creates a wrapped key from its stored parts.
    public init(kekVersion: UInt32, dataKeyVersion: UInt32, sealed: [UInt8]) {
        self.kekVersion = kekVersion
        self.dataKeyVersion = dataKeyVersion
        self.sealed = sealed
    }
}

/// What a sealed message is bound to. Opening with any field changed fails.
public struct SealContext: Sendable, Equatable {
    /// The thread the message belongs to.
    public var threadID: String
    /// The message's own id.
    public var messageID: String
    /// `inbound` or `outbound` (or another fixed label for non-message records).
    public var direction: String

    /// Creates a context.
    public init(threadID: String, messageID: String, direction: String) {
        self.threadID = threadID
        self.messageID = messageID
        self.direction = direction
    }
}

/// Canonical, unambiguous associated data: a label and length-prefixed fields.
enum AssociatedData {
    static func make(_ label: String, _ fields: [String], version: UInt32) -> [UInt8] {
        var out = Array(label.utf8)
        out.append(0)
        for field in fields {
            let bytes = Array(field.utf8)
            out.append(contentsOf: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
            out.append(contentsOf: bytes)
        }
        out.append(contentsOf: withUnsafeBytes(of: version.bigEndian, Array.init))
        return out
    }
}
