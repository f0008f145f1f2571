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
    func openRelay(label: String) throws -> (Relay, OpenDatabase) {
        let keyring = try loadKeyring().keyring
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw CLIFailure(message: "no database at \(databasePath); start the relay once or pass --data", code: CLIFailure.noInput)
        }
        let store = try SQLiteStore(path: databasePath)
        var settings = RelaySettings()
        settings.auditWitnessPath = auditWitnessPath
        return (Relay(store: store, keyring: keyring, settings: settings, logger: LoggingSetup.logger(label)), OpenDatabase(store: store))
    }
}

/// The database a CLI command opened, to close when it is done (commands see no more of the store
/// than this: they work through the relay's use cases).
struct OpenDatabase {
    fileprivate let store: SQLiteStore

    /// Closes the database.
    func close() throws {
        try store.close()
    }
}
