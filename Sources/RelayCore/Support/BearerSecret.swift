import RelayCrypto

/// A configured shared secret (the metrics scrape token) kept only as its SHA-256, compared in
/// constant time.
public struct BearerSecret: Sendable {
    private let digest: [UInt8]

    /// Keeps the digest of `secret`.
    public init(_ secret: String) {
        digest = SHA256.hash(Array(secret.utf8))
    }

    /// Whether `presented` is the secret.
    public func matches(_ presented: String) -> Bool {
        ConstantTime.equals(SHA256.hash(Array(presented.utf8)), digest)
    }
}
