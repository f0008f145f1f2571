import ArgumentParser
import Foundation
import RelayCore
import RelayCrypto
import RelayStore

/// `saferelay keys rotate`: adds a KEK version and rewraps every data key under it.
struct KeysRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Add a key-encryption key version and rewrap every thread and contact key under it.",
        discussion: """
            The new keyring is written first (atomically, keeping every earlier version), then data \
            keys are rewrapped in batches. If interrupted, run it again with --resume: nothing is lost, \
            since both versions stay in the keyring. Refuses while a server holds the data folder: \
            stop it first. Then `keys retire OLD` removes the old version.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Only finish rewrapping under the current version; do not add a new one.")
    var resume = false

    func run() async throws {
        await runReportingFailures {
            let loaded = try store.loadKeyring()
            guard let path = loaded.path else {
                throw KeyringError.notWritable(
                    reason: "the keyring comes from $\(KeyringStore.environmentVariable); rotate a file copy and update the secret store")
            }
            // Never against a database that is not there: a mistyped --data would otherwise get an
            // empty one, which wraps nothing, and an old key could be retired from under the real one.
            guard FileManager.default.fileExists(atPath: store.databasePath) else {
                throw CLIFailure(message: "no database at \(store.databasePath); pass the --data of the relay whose keys these are", code: CLIFailure.noInput)
            }
            let lock = try StoreLock.acquire(dataDirectory: store.dataDirectory, purpose: "rotating keys")
            defer { withExtendedLifetime(lock) {} }
            var keyring = loaded.keyring
            if !resume {
                keyring = keyring.rotated(now: Date().rfc3339)
                try KeyringStore.replace(keyring, path: path)
                print("added key-encryption key v\(keyring.currentVersion) to \(path)")
            }
            let database = try SQLiteStore(path: store.databasePath)
            let relay = Relay(store: database, keyring: keyring, logger: LoggingSetup.logger("saferelay.keys"))
            let report = try await relay.rewrapAllKeys()
            try database.close()
            print("rewrapped \(report.rewrapped) data keys under v\(report.kekVersion)")
        }
    }
}
