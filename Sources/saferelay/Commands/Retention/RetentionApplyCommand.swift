import ArgumentParser
import Foundation
import RelayCore

/// `saferelay retention apply`: does it.
struct RetentionApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry a policy out: crypto-shred, delete, overwrite freed pages, truncate the WAL, sign a receipt.",
        discussion: "Safe to interrupt (even kill -9): run it again and it finishes, with nothing left half-deleted.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var options: PolicyOptions
    @Flag(help: "Do not ask for confirmation (required when not on a terminal).") var yes = false
    @OptionGroup var actor: ActorOption
    @Flag(help: "Print the receipt as JSON.") var json = false

    func run() async throws {
        await runReportingFailures {
            let (policy, asOf) = try options.load()
            let actorName = actor.name
            let (relay, database) = try await store.openRelay(label: "saferelay.retention")
            defer { try? database.close() }
            let plan = try await relay.retention.plan(policy: policy, asOf: asOf)
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw CLIFailure(message: "refusing to apply without --yes when not on a terminal", code: 64)
                }
                print(RetentionReport.text(plan: plan, holds: try await relay.retention.holds()))
                print("Type `apply` to destroy this data for good: ", terminator: "")
                guard readLine()?.trimmingCharacters(in: .whitespaces) == "apply" else {
                    throw CLIFailure(message: "not confirmed; nothing changed", code: 1)
                }
            }
            let onTerminal = isatty(STDERR_FILENO) == 1
            let receipt = try await relay.retention.apply(policy: policy, asOf: asOf, actor: actorName) { done, total in
                if onTerminal { FileHandle.standardError.write(Data("\rapplying: \(done)/\(total) threads".utf8)) }
            }
            if onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(receipt.counts), as: UTF8.self))
            } else {
                let c = receipt.counts
                print("""
                    applied \(policy.name) (sha256 \(policy.sha256.prefix(16))…) as of \(asOf.rfc3339)
                      threads closed:        \(c.threadsToClose)
                      threads purged:        \(c.threadsToPurge) (\(c.messagesToPurge) messages crypto-shredded)
                      metadata rows deleted: \(c.metadataToDelete)
                      contacts deleted:      \(receipt.contactsDeleted)
                      audit lines pruned:    \(receipt.auditLinesPruned)
                      threads held:          \(c.threadsHeld)
                      threads kept:          \(c.threadsKept)
                    receipt appended to the audit log and a signed checkpoint written
                    """)
            }
            // The purged bytes must not outlive this command in the WAL: wait for the truncation
            // (another connection's long read can hold it up), and say so loudly if it cannot finish.
            guard await relay.walTruncation.waitUntilClean(timeout: .seconds(30)), try await relay.retention.settleOwedTruncation() else {
                throw CLIFailure(
                    message: "purged, but the WAL could not be truncated within 30 s: another connection holds an old snapshot. "
                        + "Deleted data may remain in saferelay.sqlite-wal until it is; a running server truncates it within seconds of the reader letting go (or run `retention apply` again).",
                    code: CLIFailure.temporaryFailure)
            }
        }
    }
}
