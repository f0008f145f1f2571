import CSodium
import Foundation

/// Mailgun's webhook signature: hex(HMAC-SHA256(webhook signing key, timestamp ‖ token)). The key
/// is held in secure memory; comparisons are constant-time.
public final class MailgunSignature: Sendable {
    private let signingKey: SecureBytes

    /// Wraps the account's webhook signing key.
    public init(signingKey: String) {
        let bytes = Array(signingKey.utf8)
        let secret = SecureBytes(count: max(bytes.count, 1))
        secret.initialise { out in
            for (index, byte) in bytes.enumerated() { out[index] = byte }
        }
        self.signingKey = secret
    }

    /// The signature of a timestamp and token.
    public func signature(timestamp: String, token: String) -> String {
        let data = Array((timestamp + token).utf8)
        var state = crypto_auth_hmacsha256_state()
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        signingKey.withUnsafeBytes { key in
            _ = crypto_auth_hmacsha256_init(&state, key.bindMemory(to: UInt8.self).baseAddress!, key.count)
        }
        _ = crypto_auth_hmacsha256_update(&state, data, UInt64(data.count))
        _ = crypto_auth_hmacsha256_final(&state, &out)
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
        return Hex.encode(out)
    }

    /// Whether `signature` (hex) is valid for the timestamp and token.
    public func isValid(timestamp: String, token: String, signature: String) -> Bool {
        ConstantTime.equals(Array(self.signature(timestamp: timestamp, token: token).utf8), Array(signature.lowercased().utf8))
    }
}
