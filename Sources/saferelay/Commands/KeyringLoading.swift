import RelayCrypto

/// Where a keyring came from, and the keyring.
struct LoadedKeyring {
    let keyring: Keyring
    /// `nil` when it came from SAFERELAY_KEYRING_CONTENT.
    let path: String?
}

extension StoreOptions {
    /// Loads the keyring from SAFERELAY_KEYRING_CONTENT if set, else from the keyring file.
    func loadKeyring() throws -> LoadedKeyring {
        if let keyring = try KeyringStore.loadFromEnvironment() {
            return LoadedKeyring(keyring: keyring, path: nil)
        }
        let path = keyringPath
        return LoadedKeyring(keyring: try KeyringStore.load(path: path), path: path)
    }
}
