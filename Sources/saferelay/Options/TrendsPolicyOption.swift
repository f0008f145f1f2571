import ArgumentParser
import Foundation
import RelayCore

/// `--trends FILE`: what trend reports publish (the threshold) and the regions advocates choose from.
struct TrendsPolicyOption: ParsableArguments {
    @Option(name: .customLong("trends"), help: ArgumentHelp(
        "Trend report policy: the smallest count published and the regions (env SAFERELAY_TRENDS; default Policies/trends.yaml "
            + "if present, else a threshold of 11 and the US states and territories).", valueName: "file"))
    var path: String?

    /// The policy: the file given (or `Policies/trends.yaml` if it exists), else the built-in one.
    /// A file that does not load ends the command (exit 65) with its line and reason.
    func load() throws -> TrendPolicy {
        let resolved = Setting.resolve(path, environment: "SAFERELAY_TRENDS", default: "Policies/trends.yaml")
        guard Setting.resolveOptional(path, environment: "SAFERELAY_TRENDS") != nil || FileManager.default.fileExists(atPath: resolved) else {
            return .builtIn
        }
        do {
            return try TrendPolicy.load(path: resolved)
        } catch {
            throw CLIFailure(message: "trends policy refused: \(error)", code: CLIFailure.dataError)
        }
    }
}
