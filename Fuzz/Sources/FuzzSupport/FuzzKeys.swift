import RelayCrypto

/// Fixed, public test keys, so that a saved crash input replays identically and the seed corpus can
/// carry valid signatures. Nothing here is ever used outside the fuzz targets.
public enum FuzzKeys {
    /// The Twilio auth token the webhook seeds are signed with.
    public static let twilioAuthToken = "fuzz-auth-token-0123456789abcdef"

    /// A keyring whose keys are the bytes 1…32, 33…64 and 65…96.
    public static let keyringText = """
        saferelay-keyring 1
        created 2026-01-01T00:00:00Z
        kek 1 2026-01-01T00:00:00Z AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
        current-kek 1
        blind-index ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=
        audit-signing QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2A=

        """

    /// The keyring parsed from ``keyringText``.
    public static let keyring: Keyring = {
        do {
            return try Array(keyringText.utf8).withUnsafeBytes { try KeyringFile.parse(bytes: $0, source: "fuzz") }
        } catch {
            fatalError("the fixed fuzz keyring does not parse: \(error)")
        }
    }()
}
