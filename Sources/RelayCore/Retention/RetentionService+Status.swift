import Foundation
import RelayModel
import RelayStore

/// `retention status`: counts by state and age of last activity (metadata only).
public struct RetentionStatus: Sendable, Encodable {
    /// Threads by state.
    public var threadsByState: [String: Int] = [:]
    /// Messages by their thread's state.
    public var messagesByState: [String: Int] = [:]
    /// Threads by age of last activity (``buckets``).
    public var threadsByAge: [String: Int] = [:]
    /// Standing legal holds.
    public var holds = 0
    /// Erase requests a hold defers.
    public var pendingEraseRequests = 0
    /// Events in the audit log.
    public var auditEvents: Int64 = 0

    /// Age buckets, each with its upper bound; older is "over 1 year".
    public static let buckets: [(String, TimeInterval)] = [
        ("under 1 day", 86_400), ("1-7 days", 604_800), ("7-30 days", 2_592_000), ("30-365 days", 31_536_000),
    ]
}

extension RetentionService {
    /// Counts threads and messages by state and age at `now`, a page of summaries at a time.
    public func status(at now: Date) async throws -> RetentionStatus {
        var status = RetentionStatus()
        try await RetentionPlanner.forEachSummary(in: store) { summary in
            let state = summary.thread.state.rawValue
            status.threadsByState[state, default: 0] += 1
            status.messagesByState[state, default: 0] += summary.messageCount
            let age = now.timeIntervalSince(Date(storeTime: summary.thread.lastActivityAt))
            let bucket = RetentionStatus.buckets.first { age < $0.1 }?.0 ?? "over 1 year"
            status.threadsByAge[bucket, default: 0] += 1
            if summary.held { status.holds += 1 }
            if summary.eraseRequestedAt != nil && summary.thread.state != .erased { status.pendingEraseRequests += 1 }
        }
        status.auditEvents = try await auditLog.size()
        return status
    }

    /// Dry run of a retention policy at `asOf`: what it would close, purge and keep. Changes nothing.
    public func plan(policy: RetentionPolicy, asOf: Date) async throws -> RetentionPlan {
        try await RetentionPlanner.plan(store: store, policy: policy, asOf: asOf)
    }
}
