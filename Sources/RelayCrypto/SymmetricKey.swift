import CSodium

/// A 256-bit secret key in secure memory. Its bytes never leave `RelayCrypto`.
///
/// ```swift
/// let key = SymmetricKey.random()
/// let box = try AEAD.seal(Array("hello".utf8), associatedData: [], key: key)
/// ```
public final class SymmetricKey: Sendable {
    /// Key length in bytes (XChaCha20-Poly1305, BLAKE2b keys and `crypto_kdf` keys are all 32 bytes).
    public static let byteCount = 32

    package let secret: SecureBytes

    package init(secret: SecureBytes) {
        precondition(secret.count == Self.byteCount, "symmetric keys are 32 bytes")
        self.secret = secret
    }

    /// A fresh key from the system CSPRNG.
    public static func random() -> SymmetricKey {
        SymmetricKey(secret: .random(count: byteCount))
    }

    /// A short, non-secret identifier for the key: BLAKE2b of a domain label and the key, first 8 bytes in hex.
    /// It cannot be turned back into the key, and it lets an operator tell keys apart.
    public var fingerprint: String {
        secret.withUnsafeBytes { Fingerprint.of(domain: "saferelay.fingerprint.v1", bytes: $0) }
    }
}

/// Short hexadecimal fingerprints for keys.
enum Fingerprint {
    /// Keyed BLAKE2b with the key as the BLAKE2b key and a domain label as the input: a PRF output,
    /// so the fingerprint reveals nothing about the key.
    static func of(domain: String, bytes: UnsafeRawBufferPointer) -> String {
        Sodium.ensureInitialised()
        var out = [UInt8](repeating: 0, count: 32)
        let label = Array(domain.utf8)
        let result = crypto_generichash(
            &out, out.count, label, UInt64(label.count),
            bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        precondition(result == 0, "crypto_generichash failed")
        return Hex.encode(out.prefix(8))
    }
}

/// Lower-case hexadecimal encoding of non-secret bytes.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lower-case hex.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes lower- or upper-case hex; `nil` when the text is not hex of even length.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
