/// Failures of cryptographic operations. Messages never contain key material or plaintext.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    /// A ciphertext did not authenticate: wrong key, wrong associated data, or altered bytes.
    case authenticationFailed
    /// A ciphertext is shorter than its header or carries an unknown format byte.
    case malformedCiphertext
    /// A key has the wrong length or encoding.
    case invalidKey(String)
    /// libsodium refused an operation (for example out of memory for Argon2id).
    case operationFailed(String)

    public var description: String {
        switch self {
        case .authenticationFailed: "ciphertext failed authentication"
        case .malformedCiphertext: "ciphertext is malformed"
        case .invalidKey(let reason): "invalid key: \(reason)"
        case .operationFailed(let what): "cryptographic operation failed: \(what)"
        }
    }
}
