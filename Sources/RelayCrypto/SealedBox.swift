import CSodium

/// An X25519 key pair for anonymous sealed boxes (`crypto_box_seal`): anyone with the public key
/// can seal; only the holder of the secret key can open (used for exports to an offline key).
public final class SealedBoxKeyPair: Sendable {
    private let secretKey: SecureBytes
    /// The 32-byte public key.
    public let publicKey: [UInt8]

    /// A fresh key pair.
    public init() {
        Sodium.ensureInitialised()
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_box_publickeybytes()))
        let secretKey = SecureBytes(count: Int(crypto_box_secretkeybytes()))
        secretKey.initialise { out in
            let result = crypto_box_keypair(&publicKey, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            precondition(result == 0, "crypto_box_keypair failed")
        }
        self.secretKey = secretKey
        self.publicKey = publicKey
    }

    /// Opens a box sealed to this key pair.
    public func open(_ sealed: [UInt8]) throws -> [UInt8] {
        let overhead = Int(crypto_box_sealbytes())
        guard sealed.count >= overhead else { throw CryptoError.malformedCiphertext }
        var plaintext = [UInt8](repeating: 0, count: sealed.count - overhead)
        var scratch: UInt8 = 0
        let result = secretKey.withUnsafeBytes { sk in
            plaintext.withUnsafeMutableBufferPointer { out in
                crypto_box_seal_open(
                    out.baseAddress ?? withUnsafeMutablePointer(to: &scratch) { $0 }, sealed, UInt64(sealed.count), publicKey,
                    sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard result == 0 else { throw CryptoError.authenticationFailed }
        return plaintext
    }
}

/// Seals messages to a public key without revealing the sender.
public enum SealedBox {
    /// Seals `message` to `publicKey`.
    public static func seal(_ message: some Collection<UInt8>, to publicKey: [UInt8]) throws -> [UInt8] {
        Sodium.ensureInitialised()
        guard publicKey.count == Int(crypto_box_publickeybytes()) else { throw CryptoError.invalidKey("X25519 public keys are 32 bytes") }
        let bytes = Array(message)
        var sealed = [UInt8](repeating: 0, count: bytes.count + Int(crypto_box_sealbytes()))
        let result = crypto_box_seal(&sealed, bytes, UInt64(bytes.count), publicKey)
        guard result == 0 else { throw CryptoError.operationFailed("crypto_box_seal") }
        return sealed
    }
}
