import ArgumentParser
import Foundation
import RelayCore

/// `saferelay audit checkpoint`: signs and stores a checkpoint now.
struct AuditCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Sign and store a checkpoint now, and print it.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.audit")
            defer { try? database.close() }
            let checkpoint = try await relay.auditLog.writeCheckpoint()
            print(checkpoint.note, terminator: "")
        }
    }
}
