import ArgumentParser

/// Where the data and the keys are: shared by `serve` and every command that reads the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder holding saferelay.sqlite (env SAFERELAY_DATA; default ./data).", valueName: "dir"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp(
        "A PostgreSQL database instead of SQLite: postgres://user:password@host:port/database[?sslmode=require] "
            + "(env SAFERELAY_DATABASE_URL, which keeps the password out of the process list). Without it, SQLite under --data.",
        valueName: "url"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp(
        "Keyring file, mode 0600 (env SAFERELAY_KEYRING; default Keys/saferelay.keyring). "
            + "SAFERELAY_KEYRING_CONTENT may carry the keyring itself instead, from a secret store.", valueName: "file"))
    var keyring: String?

    /// The data folder.
    var dataDirectory: String { Setting.resolve(data, environment: "SAFERELAY_DATA", default: "./data") }
    /// The database file inside it.
    var databasePath: String { dataDirectory + "/saferelay.sqlite" }
    /// The PostgreSQL database's URL, when one is configured (read once: see ``takeDatabaseURL()``).
    var databaseURL: String? { Setting.resolveOptional(database, environment: Self.databaseVariable) }
    /// The environment variable that may carry the database URL.
    static let databaseVariable = "SAFERELAY_DATABASE_URL"
    /// The keyring path.
    var keyringPath: String { Setting.resolve(keyring, environment: "SAFERELAY_KEYRING", default: "Keys/saferelay.keyring") }
}
