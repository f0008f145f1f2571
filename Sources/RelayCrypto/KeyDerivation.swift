import CSodium

/// Derives independent subkeys from one root key with libsodium's `crypto_kdf` (BLAKE2b).
///
/// Each purpose has its own eight-character context and numeric id, so a subkey for one purpose
/// reveals nothing about another or about the root.
public enum KeyDerivation {
    /// Derives the 256-bit subkey `id` of `root` in `context`.
    /// - Parameters:
    ///   - root: the master key.
    ///   - id: the subkey number within the context.
    ///   - context: exactly eight ASCII characters naming the purpose, e.g. `"SRblind1"`.
    public static func subkey(of root: SymmetricKey, id: UInt64, context: String) -> SymmetricKey {
        Sodium.ensureInitialised()
        let contextBytes = Array(context.utf8)
        precondition(contextBytes.count == Int(crypto_kdf_contextbytes()), "crypto_kdf contexts are 8 bytes")
        let subkey = SecureBytes(count: SymmetricKey.byteCount)
        subkey.initialise { out in
            root.secret.withUnsafeBytes { rootBytes in
                contextBytes.withUnsafeBufferPointer { ctx in
                    ctx.withMemoryRebound(to: CChar.self) { ctxChars in
                        let result = crypto_kdf_derive_from_key(
                            out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count, id, ctxChars.baseAddress!,
                            rootBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
                        precondition(result == 0, "crypto_kdf_derive_from_key failed")
                    }
                }
            }
        }
        return SymmetricKey(secret: subkey)
    }
}
