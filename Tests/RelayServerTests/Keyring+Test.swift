import RelayCrypto

extension Keyring {
    /// A fresh keyring for a test.
    static func generateForTest() -> Keyring { .generate(now: "2026-11-23T20:00:00Z") }
}
