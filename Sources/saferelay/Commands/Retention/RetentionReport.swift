import Foundation
import RelayCore

/// Renders retention plans for people and for scripts.
enum RetentionReport {
    static func text(plan: RetentionPlan, holds: [LegalHold]) -> String {
        let c = plan.counts
        var lines = [
            "policy \(plan.policyName) (sha256 \(plan.policySHA256.prefix(16))…), as of \(plan.asOf.rfc3339) — dry run, nothing changed",
            "  would close:           \(c.threadsToClose) threads",
            "  would purge:           \(c.threadsToPurge) threads, \(c.messagesToPurge) messages",
            "  would delete metadata: \(c.metadataToDelete) erased threads",
            "  kept by legal hold:    \(c.threadsHeld) threads, \(c.messagesHeld) messages",
            "  kept by policy:        \(c.threadsKept) threads, \(c.messagesKept) messages",
        ]
        for (reason, count) in plan.keepReasons.sorted(by: { $0.key < $1.key }) {
            lines.append("    \(count) \(reason)")
        }
        if !holds.isEmpty {
            lines.append("holds:")
            for hold in holds { lines.append("  \(hold.threadID)  since \(hold.placedAt.rfc3339)  by \(hold.placedBy)  \(hold.reason)") }
        }
        return lines.joined(separator: "\n")
    }

    static func json(plan: RetentionPlan, holds: Int) throws -> String {
        struct Thread: Encodable {
            let thread: String
            let action: String
            let reason: String?
            let messages: Int
        }
        struct Output: Encodable {
            let threads: [Thread]
            let policy: String
            let policySHA256: String
            let asOf: String
            let counts: RetentionPlan.Counts
            let keepReasons: [String: Int]
            let holds: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let threads = plan.entries.map { entry -> Thread in
            let (action, reason): (String, String?) = switch entry.action {
            case .close: ("close", nil)
            case .closeAndPurge: ("close_and_purge", nil)
            case .purge(let why): ("purge", why)
            case .deleteMetadata: ("delete_metadata", nil)
            case .keep(let why): ("keep", why)
            case .held: ("held", nil)
            }
            return Thread(thread: entry.threadID, action: action, reason: reason, messages: entry.messages)
        }
        let output = Output(
            threads: threads,
            policy: plan.policyName, policySHA256: plan.policySHA256, asOf: plan.asOf.rfc3339, counts: plan.counts,
            keepReasons: plan.keepReasons, holds: holds)
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }
}

extension RetentionStatus {
    var text: String {
        var lines = ["threads by state:"]
        for state in ["open", "closed", "erased"] {
            lines.append("  \(state.padding(toLength: 7, withPad: " ", startingAt: 0)) \(threadsByState[state] ?? 0) threads, \(messagesByState[state] ?? 0) messages")
        }
        lines.append("threads by last activity:")
        for (bucket, _) in RetentionStatus.buckets + [("over 1 year", 0)] {
            lines.append("  \(bucket.padding(toLength: 12, withPad: " ", startingAt: 0)) \(threadsByAge[bucket] ?? 0)")
        }
        lines.append("legal holds: \(holds)")
        lines.append("erase requests deferred by a hold: \(pendingEraseRequests)")
        lines.append("audit events: \(auditEvents)")
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
