import Foundation
import RelayCrypto

/// The non-secret description of a keyring that `keys status` and `keys init` print.
struct KeyringReport {
    let keyring: Keyring
    var wrappedCounts: [UInt32: Int]? = nil

    var text: String {
        var lines = ["keyring created \(keyring.createdAt)"]
        lines.append("key-encryption keys (current: v\(keyring.currentVersion)):")
        for kek in keyring.kekVersions {
            var line = "  v\(kek.version)  fingerprint \(kek.fingerprint)  created \(kek.createdAt)"
            if kek.version == keyring.currentVersion { line += "  [current]" }
            if let counts = wrappedCounts { line += "  wraps \(counts[kek.version] ?? 0) data keys" }
            lines.append(line)
        }
        let present = Set(keyring.kekVersions.map(\.version))
        for (version, count) in (wrappedCounts ?? [:]).sorted(by: { $0.key < $1.key }) where count > 0 && !present.contains(version) {
            lines.append("  v\(version)  MISSING from this keyring  wraps \(count) data keys: they cannot be opened with it")
        }
        lines.append("blind-index key  fingerprint \(keyring.blindIndexFingerprint)")
        lines.append("audit signing key (Ed25519)  fingerprint \(keyring.auditSigningKey.fingerprint)  public \(Base64.encode(keyring.auditSigningKey.publicKey))")
        return lines.joined(separator: "\n")
    }
}
