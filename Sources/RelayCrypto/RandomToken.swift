import CSodium

/// Random values from libsodium's CSPRNG.
public enum RandomToken {
    /// `count` random bytes (not secret-grade storage: use for ids, nonces and tokens that are hashed).
    public static func bytes(_ count: Int) -> [UInt8] {
        Sodium.ensureInitialised()
        var out = [UInt8](repeating: 0, count: count)
        randombytes_buf(&out, count)
        return out
    }

    /// A 256-bit bearer token, base64url without padding (43 characters).
    public static func bearer() -> String {
        Base64.encodeURLSafe(bytes(32))
    }

    /// A 128-bit random identifier in lower-case hex (32 characters), for thread and message ids.
    public static func identifier() -> String {
        Hex.encode(bytes(16))
    }

    /// A 128-bit identifier that sorts by creation time (48-bit milliseconds, then 80 random bits,
    /// like UUIDv7), in lower-case hex. Rows created together sit together in the id index, so
    /// purging a period's threads rewrites a few index pages instead of all of them. The time it
    /// reveals is already in the row's `created_at`.
    public static func timeOrderedIdentifier(milliseconds: UInt64) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8((milliseconds >> (8 * (5 - UInt64(index)))) & 0xff) }
        let random = self.bytes(10)
        for index in 0..<10 { bytes[6 + index] = random[index] }
        return Hex.encode(bytes)
    }

    /// A uniform random integer in `0..<upperBound`.
    public static func uniform(_ upperBound: UInt32) -> UInt32 {
        Sodium.ensureInitialised()
        return randombytes_uniform(upperBound)
    }
}

/// Constant-time comparisons for secrets and MACs.
public enum ConstantTime {
    /// Whether two byte strings are equal, in time that depends only on their length.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        Sodium.ensureInitialised()
        guard lhs.count == rhs.count else { return false }
        guard !lhs.isEmpty else { return true }
        return sodium_memcmp(lhs, rhs, lhs.count) == 0
    }
}

/// Base64 through libsodium (constant-time with respect to the data).
public enum Base64 {
    /// Standard base64 with padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        encode(bytes, variant: sodium_base64_VARIANT_ORIGINAL)
    }

    /// URL-safe base64 without padding.
    public static func encodeURLSafe(_ bytes: [UInt8]) -> String {
        encode(bytes, variant: sodium_base64_VARIANT_URLSAFE_NO_PADDING)
    }

    /// Decodes standard base64 (with padding); `nil` if the text is not valid base64.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(text, variant: sodium_base64_VARIANT_ORIGINAL)
    }

    /// Decodes URL-safe base64 without padding; `nil` if the text is not valid.
    public static func decodeURLSafe(_ text: String) -> [UInt8]? {
        decode(text, variant: sodium_base64_VARIANT_URLSAFE_NO_PADDING)
    }

    private static func encode(_ bytes: [UInt8], variant: Int32) -> String {
        Sodium.ensureInitialised()
        let length = sodium_base64_encoded_len(bytes.count, variant)
        var out = [CChar](repeating: 0, count: length)
        _ = sodium_bin2base64(&out, length, bytes, bytes.count, variant)
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func decode(_ text: String, variant: Int32) -> [UInt8]? {
        Sodium.ensureInitialised()
        let chars = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: chars.count * 3 / 4 + 3)
        var written = 0
        // Decode and check, in one pointer scope, that every character was consumed (no trailing garbage).
        let valid = chars.withUnsafeBufferPointer { input in
            input.withMemoryRebound(to: CChar.self) { c -> Bool in
                var end: UnsafePointer<CChar>? = nil
                guard sodium_base642bin(&out, out.count, c.baseAddress, c.count, nil, &written, &end, variant) == 0 else {
                    return false
                }
                return end.map { $0 - c.baseAddress! } == c.count
            }
        }
        guard valid else { return nil }
        return Array(out.prefix(written))
    }
}
