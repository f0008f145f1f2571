import ArgumentParser
import Foundation
import RelayCore

/// `saferelay triage check`: validates a triage file and summarises it.
struct TriageCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a triage file; a bad one is refused with its file, line and reason (exit 65).")

    @OptionGroup var file: TriagePolicyOption

    func run() async throws {
        await runReportingFailures {
            let policy = try TriageLoading.load(file.path)
            print("\(policy.name): valid (sha256 \(policy.sha256.prefix(16))…)")
            print("  language keywords: \(policy.languageKeywords.count), urgency words: \(policy.urgencyPhrases.count), redirects: \(policy.redirects.map(\.id).joined(separator: ", "))")
            print("  first answer: \(policy.firstAnswer == nil ? "none" : "yes"), hours: \(policy.hours.map { "\($0.timeZone.identifier)" } ?? "always open")")
        }
    }
}

/// Loads a triage file for a command, as a clear failure.
enum TriageLoading {
    static func load(_ path: String) throws -> TriagePolicy {
        do {
            return try TriagePolicy.load(path: path)
        } catch let error as PolicyError {
            throw CLIFailure(message: "triage policy refused: \(error)", code: error.line == 0 && error.reason.hasPrefix("cannot read") ? CLIFailure.noInput : CLIFailure.dataError)
        }
    }
}
