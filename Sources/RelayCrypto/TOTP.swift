import COpenSSL

/// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps,
/// 6 digits, as ordinary authenticator apps expect. The shared secret stays in secure memory.
public final class TOTP: Sendable {
    /// Secret length for new enrolments (160 bits, as RFC 4226 recommends).
    public static let secretByteCount = 20
    /// Seconds per step.
    public let period: UInt64
    /// Digits per code.
    public let digits: Int
    private let secret: SecureBytes

    /// Wraps a shared secret.
    public init(secret bytes: [UInt8], period: UInt64 = 30, digits: Int = 6) {
        let secret = SecureBytes(count: max(bytes.count, 1))
        secret.initialise { out in
            for (index, byte) in bytes.enumerated() { out[index] = byte }
        }
        self.secret = secret
        self.period = period
        self.digits = digits
    }

    /// A fresh random secret (returned once, to be sealed and shown to the user as a QR/URI).
    public static func generateSecret() -> [UInt8] { RandomToken.bytes(secretByteCount) }

    /// The time step of a Unix time.
    public func step(at unixTime: UInt64) -> UInt64 { unixTime / period }

    /// The code for a step (RFC 4226 dynamic truncation).
    public func code(step: UInt64) -> String {
        var counter = step.bigEndian
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        secret.withUnsafeBytes { key in
            withUnsafeBytes(of: &counter) { message in
                _ = HMAC(EVP_sha1(), key.baseAddress, Int32(key.count), message.baseAddress!.assumingMemoryBound(to: UInt8.self), 8, &mac, &length)
            }
        }
        let offset = Int(mac[Int(length) - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The step a code matches within ±`window` steps of `unixTime`, if any (constant-time per comparison).
    public func matchingStep(_ code: String, at unixTime: UInt64, window: UInt64 = 1) -> UInt64? {
        guard code.count == digits, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let now = step(at: unixTime)
        var found: UInt64?
        for candidate in (now >= window ? now - window : 0)...(now + window) {
            if ConstantTime.equals(Array(self.code(step: candidate).utf8), Array(code.utf8)) && found == nil { found = candidate }
        }
        return found
    }

    private static let base32Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// RFC 4648 base32 without padding (what authenticator apps read).
    public static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = base32Alphabet
        var out = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return out
    }

    /// The bytes of an RFC 4648 base32 text, as an authenticator app reads a secret (padding `=`
    /// ignored, upper case only); `nil` for any other character.
    public static func decodeBase32(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for char in text where char != "=" {
            guard let value = base32Alphabet.firstIndex(of: char) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return bytes
    }
}
