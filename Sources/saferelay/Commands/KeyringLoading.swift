import Foundation
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

    /// For the commands that rewrite the keyring (rotate, retire): the keyring, its file, and the
    /// data folder's lock. Refuses a keyring from the environment, a `--data` without a database
    /// (a mistyped path would otherwise get an empty one, which wraps nothing, and an old key could
    /// be retired from under the real one), and a folder a server holds.
    /// On PostgreSQL no folder lock can tell whether instances run (they may be on other machines):
    /// the returned lock is `nil`, and the operator stops every instance first, as `--help` says.
    func keyringToChange(verb: String, purpose: String) throws -> (Keyring, String, StoreLock?) {
        let loaded = try loadKeyring()
        guard let path = loaded.path else {
            throw KeyringError.notWritable(
                reason: "the keyring comes from $\(KeyringStore.environmentVariable); \(verb) in a file copy and update the secret store")
        }
        if databaseURL != nil { return (loaded.keyring, path, nil) }
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw CLIFailure(message: "no database at \(databasePath); pass the --data of the relay whose keys these are", code: CLIFailure.noInput)
        }
        return (loaded.keyring, path, try StoreLock.acquire(dataDirectory: dataDirectory, purpose: purpose))
    }
}
