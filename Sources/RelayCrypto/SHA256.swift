import COpenSSL
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

/// A 32-byte digest held inline (no heap allocation), for hashing millions of Merkle leaves.
public struct Digest32: Equatable, Hashable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The zero digest.
    public init() {}

    /// A digest from 32 bytes.
    public init(_ bytes: some Collection<UInt8>) {
        precondition(bytes.count == 32, "digests are 32 bytes")
        let array = Array(bytes)
        withUnsafeMutableBytes(of: &words) { $0.copyBytes(from: array) }
    }

    /// A digest read straight from 32 bytes of memory (no allocation).
    public init(raw: UnsafeRawBufferPointer) {
        precondition(raw.count == 32, "digests are 32 bytes")
        words = (
            raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// The bytes.
    public var bytes: [UInt8] { withUnsafeBytes(of: words) { Array($0) } }

    public static func == (lhs: Digest32, rhs: Digest32) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

extension SHA256 {
    /// SHA-256(prefix ‖ data) into an inline digest.
    /// Uses OpenSSL's SHA-256, which runs on the CPU's SHA extensions where present (several times
    /// libsodium's portable code); the result is the same function.
    public static func digest(prefix: UInt8, _ data: UnsafeRawBufferPointer) -> Digest32 {
        var context = SHA256_CTX()
        var tag = prefix
        var out = Digest32()
        SHA256_Init(&context)
        SHA256_Update(&context, &tag, 1)
        if let base = data.baseAddress, data.count > 0 {
            SHA256_Update(&context, base, data.count)
        }
        withUnsafeMutableBytes(of: &out.words) { _ = SHA256_Final($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &context) }
        return out
    }

    /// SHA-256(prefix ‖ left ‖ right) of two digests.
    public static func digest(prefix: UInt8, _ left: Digest32, _ right: Digest32) -> Digest32 {
        var buffer = (left.words, right.words)
        return withUnsafeBytes(of: &buffer) { digest(prefix: prefix, $0) }
    }
}
