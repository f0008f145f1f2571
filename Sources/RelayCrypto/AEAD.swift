import CSodium

/// XChaCha20-Poly1305 (IETF) authenticated encryption with associated data.
///
/// A sealed box is `format(1) ‖ nonce(24) ‖ ciphertext ‖ tag(16)`. The format byte is also bound
/// into the associated data, and the 192-bit nonce is random for every seal, so nonces never need
/// a counter and never repeat in practice.
///
/// ```swift
/// let sealed = AEAD.seal(Array("text".utf8), associatedData: context, key: key)
/// let opened = try AEAD.open(sealed, associatedData: context, key: key)
/// ```
public enum AEAD {
    /// The format byte of the current layout.
    public static let formatVersion: UInt8 = 1
    /// Nonce length in bytes.
    public static let nonceByteCount = 24
    /// Authentication tag length in bytes.
    public static let tagByteCount = 16
    /// Bytes added to a plaintext by sealing.
    public static let overhead = 1 + nonceByteCount + tagByteCount

    /// Seals `plaintext` under `key`, binding `associatedData`.
    /// - Parameters:
    ///   - plaintext: the bytes to protect.
    ///   - associatedData: context that must match exactly when opening (it is not encrypted).
    ///   - key: a 256-bit key.
    /// - Returns: the sealed box.
    public static func seal(_ plaintext: some Collection<UInt8>, associatedData: [UInt8], key: SymmetricKey) -> [UInt8] {
        let message = Array(plaintext)
        return message.withUnsafeBytes { seal(raw: $0, associatedData: associatedData, key: key.secret) }
    }

    /// Opens a sealed box; throws `CryptoError.authenticationFailed` if anything differs.
    public static func open(_ sealed: some Collection<UInt8>, associatedData: [UInt8], key: SymmetricKey) throws -> [UInt8] {
        let box = Array(sealed)
        let length = try plaintextLength(ofSealed: box.count)
        var plaintext = [UInt8](repeating: 0, count: length)
        try plaintext.withUnsafeMutableBytes { out in
            try box.withUnsafeBytes { try open(raw: $0, associatedData: associatedData, key: key.secret, into: out) }
        }
        return plaintext
    }

    // MARK: - Internal: secret-to-secret sealing (wrapping keys)

    static func seal(raw plaintext: UnsafeRawBufferPointer, associatedData: [UInt8], key: SecureBytes) -> [UInt8] {
        Sodium.ensureInitialised()
        var box = [UInt8](repeating: 0, count: plaintext.count + overhead)
        box[0] = formatVersion
        let ad = [formatVersion] + associatedData
        box.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            randombytes_buf(base + 1, nonceByteCount)
            var written: UInt64 = 0
            let result = key.withUnsafeBytes { keyBytes in
                crypto_aead_xchacha20poly1305_ietf_encrypt(
                    base + 1 + nonceByteCount, &written,
                    plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                    ad, UInt64(ad.count),
                    nil, base + 1,
                    keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            precondition(result == 0 && Int(written) == plaintext.count + tagByteCount, "XChaCha20-Poly1305 encryption failed")
        }
        return box
    }

    static func plaintextLength(ofSealed count: Int) throws -> Int {
        guard count >= overhead else { throw CryptoError.malformedCiphertext }
        return count - overhead
    }

    static func open(raw box: UnsafeRawBufferPointer, associatedData: [UInt8], key: SecureBytes, into out: UnsafeMutableRawBufferPointer) throws {
        Sodium.ensureInitialised()
        let length = try plaintextLength(ofSealed: box.count)
        guard box[0] == formatVersion else { throw CryptoError.malformedCiphertext }
        precondition(out.count == length, "output buffer has the wrong size")
        let ad = [formatVersion] + associatedData
        let base = box.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var written: UInt64 = 0
        // libsodium needs a non-null output pointer even for an empty plaintext.
        var scratch: UInt8 = 0
        let result = key.withUnsafeBytes { keyBytes in
            withUnsafeMutablePointer(to: &scratch) { scratchPointer in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    out.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? scratchPointer, &written, nil,
                    base + 1 + nonceByteCount, UInt64(box.count - 1 - nonceByteCount),
                    ad, UInt64(ad.count),
                    base + 1,
                    keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard result == 0 else { throw CryptoError.authenticationFailed }
    }

    /// The nonce of a sealed box (for tests and diagnostics; nonces are not secret).
    public static func nonce(of sealed: [UInt8]) throws -> ArraySlice<UInt8> {
        guard sealed.count >= overhead else { throw CryptoError.malformedCiphertext }
        return sealed[1..<(1 + nonceByteCount)]
    }
}
