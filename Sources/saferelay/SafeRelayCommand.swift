import ArgumentParser

/// `saferelay`: the relay server and the operator, admin and compliance commands.
@main
struct SafeRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saferelay",
        abstract: "A privacy-first secure message relay for anti-trafficking hotlines.",
        discussion: """
            Exit codes: 0 success, 64 bad usage, 65 corrupt input (e.g. a damaged keyring), \
            66 missing keyring, 70 internal error, 73 refusing to overwrite, 74 I/O error, \
            77 unsafe permissions, 78 bad configuration.
            """,
        subcommands: [Serve.self, Keys.self, Advocates.self, Retention.self, Hold.self, Audit.self, StoreCommand.self, Triage.self, Trends.self]
    )
}
