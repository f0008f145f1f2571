import ArgumentParser
import Foundation
import RelayCore

/// `saferelay audit`: the tamper-evident log.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify, export and checkpoint the tamper-evident audit log.",
        subcommands: [AuditVerify.self, AuditExport.self, AuditCheckpointCommand.self])
}
