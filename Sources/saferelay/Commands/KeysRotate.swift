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
            stop it first (on PostgreSQL, stop every instance first: nothing here can tell whether \
            they run; start them again with the new keyring). Then `keys retire OLD` removes the old version.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Only finish rewrapping under the current version; do not add a new one.")
    var resume = false

    func run() async throws {
        await runReportingFailures {
            let (loaded, path, lock) = try store.keyringToChange(verb: "rotate", purpose: "rotating keys")
            defer { withExtendedLifetime(lock) {} }
            var keyring = loaded
            if !resume {
                keyring = keyring.rotated(now: Date().rfc3339)
                try KeyringStore.replace(keyring, path: path)
                print("added key-encryption key v\(keyring.currentVersion) to \(path)")
            }
            let database = try await store.openExistingStore()
            let relay = Relay(store: database, keyring: keyring, logger: LoggingSetup.logger("saferelay.keys"))
            let report = try await relay.keys.rewrapAllKeys()
            try database.close()
            print("rewrapped \(report.rewrapped) data keys under v\(report.kekVersion)")
        }
    }
}
