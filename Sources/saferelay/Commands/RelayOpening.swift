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

/// Who a CLI action is attributed to in the audit log.
enum CLIActor {
    static func resolve(_ flag: String?) throws -> String {
        let name = flag ?? ProcessInfo.processInfo.environment["USER"] ?? "operator"
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) }) else {
            throw CLIFailure(message: "--actor must be 1 to 64 letters, digits or . _ - @", code: 64)
        }
        return flag == nil ? "cli:\(name)" : name
    }
}

/// Parses `--as-of` values: RFC 3339 (`2026-11-23T20:00:00Z`) or a date (`2026-11-23`, midnight UTC).
enum TimeArgument {
    static func parse(_ text: String) throws -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        var dateOnly = Date.ISO8601FormatStyle().year().month().day()
        dateOnly.timeZone = TimeZone(identifier: "UTC")!
        if let date = try? Date(text, strategy: dateOnly) { return date }
        throw CLIFailure(message: "`\(text.prefix(40))` is not a time; use RFC 3339 like 2026-11-23T20:00:00Z or a date like 2026-11-23", code: 64)
    }
}
