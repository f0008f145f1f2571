import ArgumentParser
import Foundation
import RelayCore

/// Options shared by `plan` and `apply`.
struct PolicyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Policy file (env SAFERELAY_POLICY; default Policies/default.yaml).", valueName: "file"))
    var policy: String?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Pretend it is this time (RFC 3339 or YYYY-MM-DD); default now.", valueName: "time"))
    var asOf: String?

    func validate() throws {
        if let asOf { _ = try TimeArgument.parse(asOf) }
    }

    var policyPath: String { Setting.resolve(policy, environment: "SAFERELAY_POLICY", default: "Policies/default.yaml") }

    func load() throws -> (RetentionPolicy, Date) {
        let policy: RetentionPolicy
        do {
            policy = try RetentionPolicy.load(path: policyPath)
        } catch let error as PolicyError {
            throw CLIFailure(message: "policy refused: \(error)", code: CLIFailure.dataError)
        }
        return (policy, try asOf.map(TimeArgument.parse) ?? Date())
    }
}
