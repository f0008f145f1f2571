import FuzzSupport
import RelayCrypto

// Input: the keyring file's bytes. A keyring that parses is written out (as `keys rotate` does) and
// must parse to the same keys; writing that again gives the same text.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyringFile(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    // `KeyringStore.load(path:)` refuses larger files before parsing.
    guard count <= KeyringFile.maximumBytes else { return -1 }
    let raw = UnsafeRawBufferPointer(start: start, count: count)
    guard let keyring = try? KeyringFile.parse(bytes: raw, source: "fuzz") else { return 0 }
    KeyringFile.withText(of: keyring) { text in
        let again: Keyring
        do {
            again = try KeyringFile.parse(bytes: text, source: "fuzz-rewritten")
        } catch {
            Property.require(false, "a written keyring does not parse: \(error)")
            return
        }
        Property.require(summary(again) == summary(keyring), "a written keyring parses to different keys")
        KeyringFile.withText(of: again) { second in
            Property.require(second.elementsEqual(text), "writing a keyring twice gives different text")
        }
    }
    return 0
}

/// Everything public about a keyring, keys as fingerprints.
private func summary(_ keyring: Keyring) -> [String] {
    [keyring.createdAt, "\(keyring.currentVersion)", keyring.blindIndexFingerprint, keyring.auditSigningKey.fingerprint]
        + keyring.kekVersions.map { "\($0.version) \($0.createdAt) \($0.fingerprint)" }
}
