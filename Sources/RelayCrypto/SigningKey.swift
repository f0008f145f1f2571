import CSodium

/// An Ed25519 signing key (for audit checkpoints), its secret half in secure memory.
public final class SigningKey: Sendable {
    /// Seed length in bytes.
    public static let seedByteCount = 32
    /// Signature length in bytes.
    public static let signatureByteCount = 64

    private let secretKey: SecureBytes
    /// The 32-byte public key.
    public let publicKey: [UInt8]

    package init(seed: SecureBytes) {
        precondition(seed.count == Self.seedByteCount, "Ed25519 seeds are 32 bytes")
        Sodium.ensureInitialised()
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_publickeybytes()))
        let secretKey = SecureBytes(count: Int(crypto_sign_secretkeybytes()))
        secretKey.initialise { out in
            seed.withUnsafeBytes { seedBytes in
                let result = crypto_sign_seed_keypair(
                    &publicKey, out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    seedBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
                precondition(result == 0, "crypto_sign_seed_keypair failed")
            }
        }
        self.secretKey = secretKey
        self.publicKey = publicKey
    }

    /// A fresh signing key.
    public static func generate() -> SigningKey {
        SigningKey(seed: .random(count: seedByteCount))
    }

    /// Signs `message` (detached signature, 64 bytes).
    public func sign(_ message: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(message)
        var signature = [UInt8](repeating: 0, count: Self.signatureByteCount)
        secretKey.withUnsafeBytes { sk in
            let result = crypto_sign_detached(
                &signature, nil, bytes, UInt64(bytes.count), sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
            precondition(result == 0, "crypto_sign_detached failed")
        }
        return signature
    }

    /// A short fingerprint of the public key.
    public var fingerprint: String {
        publicKey.withUnsafeBytes { Fingerprint.of(domain: "saferelay.ed25519.v1", bytes: $0) }
    }
}

/// Checks Ed25519 signatures with a public key only.
public enum SignatureVerifier {
    /// Whether `signature` is a valid Ed25519 signature of `message` by `publicKey`.
    public static func isValid(signature: [UInt8], message: some Collection<UInt8>, publicKey: [UInt8]) -> Bool {
        Sodium.ensureInitialised()
        guard signature.count == SigningKey.signatureByteCount, publicKey.count == Int(crypto_sign_publickeybytes()) else {
            return false
        }
        let bytes = Array(message)
        return crypto_sign_verify_detached(signature, bytes, UInt64(bytes.count), publicKey) == 0
    }
}
