import ArgumentParser

/// `saferelay triage`: check and try the triage rules without a server.
struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check and try the triage rules (automatic answers, language, urgency, redirects, hours).",
        subcommands: [TriageTest.self, TriageCheck.self])
}

/// Where the triage file is: `--policy`, else `SAFERELAY_TRIAGE`, else `Policies/triage.yaml`.
struct TriagePolicyOption: ParsableArguments {
    @Option(help: ArgumentHelp("Triage file (env SAFERELAY_TRIAGE; default Policies/triage.yaml).", valueName: "file"))
    var policy: String?

    var path: String { Setting.resolve(policy, environment: "SAFERELAY_TRIAGE", default: "Policies/triage.yaml") }
}
