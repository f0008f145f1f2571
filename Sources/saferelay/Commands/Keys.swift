import ArgumentParser

/// `saferelay keys`: the keyring.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, inspect, rotate and retire keys of the keyring.",
        subcommands: [KeysInit.self, KeysStatus.self, KeysRotate.self, KeysRetire.self]
    )
}
