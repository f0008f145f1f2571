import ArgumentParser
import Foundation
import RelayCore

/// `saferelay audit verify`: the Merkle tree, every checkpoint and the witness copy.
struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the Merkle tree from every event, check every checkpoint, name the first mismatch.")
    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("Also check against a checkpoint kept elsewhere (a note file), e.g. a copy taken off the host.", valueName: "file"))
    var checkpoint: String?
    @Flag(name: .customLong("no-witness"), help: "Verify without the witness file: a rollback of the database cannot be detected then.")
    var noWitness = false

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.audit")
            defer { try? database.close() }
            var witnesses: [String] = []
            if let text = try? String(contentsOfFile: store.auditWitnessPath, encoding: .utf8) {
                witnesses.append(text)
                if checkpoint == nil && store.auditWitnessPath.hasPrefix(store.dataDirectory + "/") {
                    FileHandle.standardError.write(Data(
                        "note: the witness sits in the data folder, so a restore of the folder rolls it back too; check against a copy kept off the host (--checkpoint FILE)\n".utf8))
                }
            } else if noWitness {
                FileHandle.standardError.write(Data(
                    "WARNING: verifying without a witness checkpoint: a database rolled back to an earlier copy would pass this check\n".utf8))
            } else if checkpoint == nil {
                // Without a checkpoint kept outside the database, a restored old copy of it verifies.
                throw CLIFailure(
                    message: "no witness checkpoint at \(store.auditWitnessPath): a rollback cannot be checked; pass --checkpoint FILE "
                        + "(a copy kept off the host) or --no-witness", code: 1)
            }
            if let checkpoint {
                guard let text = try? String(contentsOfFile: checkpoint, encoding: .utf8) else {
                    throw CLIFailure(message: "cannot read checkpoint file \(checkpoint)", code: CLIFailure.noInput)
                }
                witnesses.append(text)
            }
            var result = try await relay.auditLog.verify(witnessNote: witnesses.first)
            for extra in witnesses.dropFirst() {
                result.problems += try await relay.auditLog.verify(witnessNote: extra).problems
            }
            if result.isValid {
                print("audit log OK: \(result.events) events (\(result.pruned) pruned to their leaf hash), \(result.checkpoints) checkpoints verified, latest at \(result.latestCheckpoint.map(String.init) ?? "none")")
                let pending = try await relay.auditLog.pendingCount()
                if pending > 0 {
                    // Erasures that went ahead while the log was unwritable: not in the log yet.
                    FileHandle.standardError.write(Data(
                        "warning: \(pending) audit events of erasures are waiting to be appended (the server appends them as soon as the log is writable)\n".utf8))
                }
            } else {
                FileHandle.standardError.write(Data("audit log FAILED verification:\n".utf8))
                for problem in result.problems.prefix(20) { FileHandle.standardError.write(Data("  \(problem)\n".utf8)) }
                throw CLIFailure(message: result.problems[0], code: 1)
            }
        }
    }
}
