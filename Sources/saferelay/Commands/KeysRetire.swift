import ArgumentParser
import Foundation
import RelayCore
import RelayCrypto
import RelayStore

/// `saferelay keys retire VERSION`: removes an old key-encryption key from the keyring.
struct KeysRetire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire",
        abstract: "Remove an old key-encryption key version from the keyring once nothing is wrapped under it.",
        discussion: """
            After a suspected compromise: `keys rotate` (every data key is rewrapped under a new \
            version), then `keys retire OLD`: a stolen copy of the old key then opens nothing in this \
            database. Refuses the current version, a version that still wraps data keys, a keyring \
            from SAFERELAY_KEYRING_CONTENT (retire in a file copy and update the secret store), and \
            while a server holds the data folder. Backups of the keyring made before keep the old key: \
            destroy them.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The version to remove (see `keys status`).")
    var version: UInt32

    func run() async throws {
        await runReportingFailures {
            let (keyring, path, lock) = try store.keyringToChange(verb: "retire", purpose: "retiring a key")
            defer { withExtendedLifetime(lock) {} }
            guard keyring.kek(version: version) != nil else {
                throw CLIFailure(message: "the keyring has no version \(version)", code: CLIFailure.usage)
            }
            let database = try await store.openExistingStore()
            let relay = Relay(store: database, keyring: keyring, logger: LoggingSetup.logger("saferelay.keys"))
            do {
                try await relay.keys.verifyKeyringOpensStore()
                try await relay.keys.checkRetirable(version: version)
            } catch let mismatch as KeyringMismatch {
                try? database.close()
                throw CLIFailure(message: "refusing: \(mismatch)", code: CLIFailure.configuration)
            } catch let inUse as KeyVersionInUse {
                try? database.close()
                throw CLIFailure(message: inUse.description, code: CLIFailure.dataError)
            }
            try database.close()
            guard let retired = keyring.retiring(version: version) else {
                throw CLIFailure(message: "version \(version) cannot be retired", code: CLIFailure.dataError)
            }
            try KeyringStore.replace(retired, path: path)
            print("retired key-encryption key v\(version) from \(path); destroy older copies of the keyring")
        }
    }
}
