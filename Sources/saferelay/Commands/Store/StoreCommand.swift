import ArgumentParser

/// `saferelay store`: moving a hotline's data between backends.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a hotline's data from its SQLite file into PostgreSQL.",
        subcommands: [StoreCopyCommand.self])
}
