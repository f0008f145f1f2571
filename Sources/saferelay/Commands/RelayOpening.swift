import Foundation
import RelayCore
import RelayCrypto
import RelayStore

extension StoreOptions {
    /// The file outside the database that keeps the latest signed audit checkpoint (mode 0600):
    /// `SAFERELAY_AUDIT_WITNESS`, or `audit-checkpoint.latest` in the data folder. Put it on another
    /// volume, and copy it off the host too: a witness beside the database can be rolled back with it.
    var auditWitnessPath: String {
        Setting.resolve(nil, environment: "SAFERELAY_AUDIT_WITNESS", default: dataDirectory + "/audit-checkpoint.latest")
    }

    /// Opens the keyring and an existing database as a relay for a CLI command.
    func openRelay(label: String, configure: (inout RelaySettings) -> Void = { _ in }) async throws -> (Relay, OpenDatabase) {
        let keyring = try loadKeyring().keyring
        let store = try await openExistingStore()
        var settings = RelaySettings()
        settings.auditWitnessPath = auditWitnessPath
        configure(&settings)
        return (Relay(store: store, keyring: keyring, settings: settings, logger: LoggingSetup.logger(label)), OpenDatabase(store: store))
    }

    /// The configured store: the PostgreSQL database of `--database` / `SAFERELAY_DATABASE_URL`
    /// (created tables and all if new), or the SQLite file under `--data`, which must exist.
    func openExistingStore() async throws -> any RelayStore {
        if databaseURL != nil { return try await openPostgres() }
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw CLIFailure(message: "no database at \(databasePath); start the relay once or pass --data", code: CLIFailure.noInput)
        }
        return try SQLiteStore(path: databasePath)
    }

    /// The PostgreSQL store, or exit 78 with one line that names the database without its password.
    func openPostgres() async throws -> PostgresStore {
        guard let url = databaseURL else { throw CLIFailure(message: "no database URL", code: CLIFailure.usage) }
        // The URL carries a password: once read, it leaves the process environment (/proc/PID/environ).
        KeyringStore.clearEnvironmentValue(Self.databaseVariable)
        do {
            return try await PostgresStore(url: url)
        } catch let error as StoreError {
            throw CLIFailure(message: error.description, code: CLIFailure.configuration)
        }
    }
}

/// The database a CLI command opened, to close when it is done (commands see no more of the store
/// than this: they work through the relay's use cases).
struct OpenDatabase {
    fileprivate let store: any RelayStore

    /// Closes the database.
    func close() throws {
        try store.close()
    }
}
