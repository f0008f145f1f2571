import CSodium

/// SHA-256 through libsodium (for the audit log's RFC 6962 Merkle tree and Twilio's `bodySHA256`).
public enum SHA256 {
    /// Digest length in bytes.
    public static let byteCount = 32

    /// The digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Sodium.ensureInitialised()
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: byteCount)
        crypto_hash_sha256(&out, input, UInt64(input.count))
        return out
    }

    /// The digest of `prefix ‖ first ‖ second` without concatenating into a new array first.
    public static func hash(prefix: UInt8, _ first: [UInt8], _ second: [UInt8] = []) -> [UInt8] {
        Sodium.ensureInitialised()
        var state = [UInt8](repeating: 0, count: crypto_hash_sha256_statebytes())
        var out = [UInt8](repeating: 0, count: byteCount)
        state.withUnsafeMutableBytes { raw in
            let pointer = raw.baseAddress!.assumingMemoryBound(to: crypto_hash_sha256_state.self)
            crypto_hash_sha256_init(pointer)
            var tag = prefix
            crypto_hash_sha256_update(pointer, &tag, 1)
            crypto_hash_sha256_update(pointer, first, UInt64(first.count))
            if !second.isEmpty { crypto_hash_sha256_update(pointer, second, UInt64(second.count)) }
            crypto_hash_sha256_final(pointer, &out)
        }
        return out
    }
}
