import RelayCrypto

/// Keyed hashes of who a client is (an address prefix, a session, an account), for the edges'
/// in-memory admission counts and buckets: the edges never hold the key, and nothing they keep
/// names a client (invariant 5).
public struct AdmissionKeys: Sendable {
    private let key: BlindIndexKey

    /// Hashes with `key` (the keyring's rate-limit blind-index key).
    public init(key: BlindIndexKey) {
        self.key = key
    }

    /// The keyed hash of `identity`.
    public func hash(_ identity: String) -> [UInt8] {
        key.index(identity)
    }
}

extension Relay {
    /// The keyed hashing the edges' admission limits use.
    public var admissionKeys: AdmissionKeys { context.admissionKeys }
}
