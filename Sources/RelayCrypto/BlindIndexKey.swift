import CSodium

/// What a blind index is computed over. Each domain uses its own derived key, so equal inputs in
/// two domains (a phone number and a token, say) never produce linkable hashes.
public enum BlindIndexDomain: UInt64, Sendable, CaseIterable {
    /// A survivor's normalised address (E.164 phone number or webchat contact id).
    case contactAddress = 1
    /// A bearer token (webchat session, advocate session): stored only as this hash.
    case bearerToken = 2
    /// A channel's delivery id (Twilio MessageSid, webchat idempotency key), for de-duplication.
    case deliveryID = 3
    /// In-memory rate-limit keys, which expire and are never stored.
    case rateLimit = 4
    /// The first word of a webchat resume phrase (the rest is checked with Argon2id).
    case resumePhrase = 5
    /// A provider's id for an outbound message (Twilio `SM…`), to match delivery callbacks.
    case providerMessageID = 6
}

/// Keyed BLAKE2b "blind indexes": deterministic 256-bit hashes that let the store find a record
/// by an identifier without holding the identifier, and that no one without the key can recompute.
public final class BlindIndexKey: Sendable {
    /// Output length in bytes.
    public static let byteCount = 32
    private let key: SymmetricKey

    /// Wraps an already-derived 32-byte key.
    public init(key: SymmetricKey) {
        self.key = key
    }

    /// Derives the key of `domain` from the keyring's blind-index root.
    public static func derive(from root: SymmetricKey, domain: BlindIndexDomain) -> BlindIndexKey {
        BlindIndexKey(key: KeyDerivation.subkey(of: root, id: domain.rawValue, context: "SRblind1"))
    }

    /// The blind index of `value`.
    public func index(_ value: some Collection<UInt8>) -> [UInt8] {
        Sodium.ensureInitialised()
        let input = Array(value)
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        key.secret.withUnsafeBytes { keyBytes in
            let result = crypto_generichash(
                &out, out.count, input, UInt64(input.count),
                keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), keyBytes.count)
            precondition(result == 0, "crypto_generichash failed")
        }
        return out
    }

    /// The blind index of a string's UTF-8 bytes.
    public func index(_ value: String) -> [UInt8] {
        index(Array(value.utf8))
    }
}
