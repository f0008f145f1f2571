import ArgumentParser
import Foundation
import RelayCore

/// `saferelay audit export`: the log as a verifiable export (header line, then one event per line).
struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export events as JSON Lines after a header with the latest checkpoint and the verifier key (docs/audit-format.md).")
    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("Only events from this time on (RFC 3339 or YYYY-MM-DD).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Write to this file (mode 0600) instead of standard output.", valueName: "file")) var out: String?

    func validate() throws {
        if let since { _ = try TimeArgument.parse(since) }
    }

    func run() async throws {
        await runReportingFailures {
            let sinceDate = try since.map(TimeArgument.parse)
            let (relay, database) = try await store.openRelay(label: "saferelay.audit")
            defer { try? database.close() }
            var text = ""
            let (count, checkpoint) = try await relay.auditLog.export(since: sinceDate) { text += $0 + "\n" }
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw CLIFailure(message: "cannot write \(out)", code: CLIFailure.cannotCreate)
                }
                print("exported \(count) events to \(out); checkpoint at size \(checkpoint.treeSize)")
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
