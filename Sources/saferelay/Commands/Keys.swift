import ArgumentParser

/// `saferelay keys`: the keyring.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, inspect and rotate the keyring.",
        subcommands: [KeysInit.self, KeysStatus.self, KeysRotate.self]
    )
}
