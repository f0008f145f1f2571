import ArgumentParser
import Foundation
import RelayCore

/// `saferelay audit`: the tamper-evident log.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify, export and checkpoint the tamper-evident audit log.",
        subcommands: [AuditVerify.self, AuditExport.self, AuditCheckpoint.self])
}

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
            let (relay, database) = try store.openRelay(label: "saferelay.audit")
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

struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export events as JSON Lines after a header with the latest checkpoint and the verifier key (docs/audit-format.md).")
    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("Only events from this time on (RFC 3339 or YYYY-MM-DD).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Write to this file (mode 0600) instead of standard output.", valueName: "file")) var out: String?

    func run() async throws {
        await runReportingFailures {
            let sinceDate = try since.map(TimeArgument.parse)
            let (relay, database) = try store.openRelay(label: "saferelay.audit")
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

struct AuditCheckpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Sign and store a checkpoint now, and print it.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try store.openRelay(label: "saferelay.audit")
            defer { try? database.close() }
            let checkpoint = try await relay.auditLog.writeCheckpoint()
            print(checkpoint.note, terminator: "")
        }
    }
}
