import Foundation
import RelayModel
import RelayStore

/// What retention does to one thread, and why.
public enum RetentionAction: Sendable, Equatable {
    /// Close an idle open thread.
    case close
    /// Destroy the thread's key and messages.
    case purge(reason: String)
    /// Close and destroy at once (zero-retention policies).
    case closeAndPurge
    /// Delete the erased thread's remaining metadata row.
    case deleteMetadata
    /// Keep it; `reason` says until when or why.
    case keep(reason: String)
    /// A legal hold keeps it whatever the policy says.
    case held
}

/// A dry run of a policy: counts and per-thread actions. `apply` executes exactly this computation.
public struct RetentionPlan: Sendable {
    /// One thread's decision.
    public struct Entry: Sendable, Equatable {
        /// The thread.
        public var threadID: String
        /// What to do.
        public var action: RetentionAction
        /// Messages it holds now.
        public var messages: Int
        /// Its last activity when planned (a thread active since is not closed).
        public var lastActivityAt: StoreTime = 0
    }

    /// Totals by kind of action.
    public struct Counts: Sendable, Equatable, Codable {
        /// Threads to close.
        public var threadsToClose = 0
        /// Threads whose content is destroyed.
        public var threadsToPurge = 0
        /// Messages destroyed with them.
        public var messagesToPurge = 0
        /// Erased threads whose metadata is deleted.
        public var metadataToDelete = 0
        /// Threads kept by the policy.
        public var threadsKept = 0
        /// Messages kept.
        public var messagesKept = 0
        /// Threads kept by a legal hold.
        public var threadsHeld = 0
        /// Messages kept by a legal hold.
        public var messagesHeld = 0

        /// All zero.
        public init() {}
    }

    /// The time the plan is computed for.
    public var asOf: Date
    /// The policy's name.
    public var policyName: String
    /// The policy file's SHA-256.
    public var policySHA256: String
    /// Every thread's decision.
    public var entries: [Entry]
    /// Totals.
    public var counts: Counts
    /// Keep reasons with how many threads each.
    public var keepReasons: [String: Int]
}

/// Decides, from metadata only, what a policy does to each thread at a given time.
public enum RetentionPlanner {
    /// The decision for one thread.
    static func action(for summary: ThreadSummary, policy: RetentionPolicy, asOf now: Date) -> RetentionAction {
        let thread = summary.thread
        let time = now.storeTime
        func after(_ start: StoreTime, _ lifetime: TimeInterval) -> StoreTime { start + StoreTime(lifetime * 1000) }
        let lifetimes = policy.lifetimes(channel: thread.channel)
        if thread.state == .erased {
            let since = thread.erasedAt ?? thread.closedAt ?? thread.lastActivityAt
            if summary.held { return .held }
            return after(since, policy.metadata) <= time ? .deleteMetadata : .keep(reason: "metadata kept for \(days(policy.metadata)) after erasure")
        }
        if summary.held { return .held }
        if let requested = summary.eraseRequestedAt, after(requested, policy.erasedOnRequest) <= time {
            return .purge(reason: "survivor asked for erasure")
        }
        switch thread.state {
        case .open:
            guard after(thread.lastActivityAt, lifetimes.idleCloseAfter) <= time else {
                return .keep(reason: "open and active within \(days(lifetimes.idleCloseAfter))")
            }
            return lifetimes.afterClose == 0 ? .closeAndPurge : .close
        case .closed:
            let closed = thread.closedAt ?? thread.lastActivityAt
            return after(closed, lifetimes.afterClose) <= time
                ? .purge(reason: "closed more than \(days(lifetimes.afterClose)) ago")
                : .keep(reason: "closed less than \(days(lifetimes.afterClose)) ago")
        case .erased:
            return .keep(reason: "erased")
        }
    }

    /// Calls `body` with every thread's summary (metadata only), reading a page of 5,000 at a time.
    static func forEachSummary(in store: any RelayStore, _ body: (ThreadSummary) throws -> Void) async throws {
        var cursor: Int64 = 0
        while true {
            let from = cursor
            let page = try await store.read { try await $0.threadSummaries(after: from, limit: 5_000) }
            guard !page.summaries.isEmpty else { return }
            cursor = page.lastRow
            for summary in page.summaries { try body(summary) }
        }
    }

    /// Plans over every thread of the store.
    static func plan(store: any RelayStore, policy: RetentionPolicy, asOf now: Date) async throws -> RetentionPlan {
        var entries: [RetentionPlan.Entry] = []
        var counts = RetentionPlan.Counts()
        var reasons: [String: Int] = [:]
        try await forEachSummary(in: store) { summary in
            let action = action(for: summary, policy: policy, asOf: now)
            let messages = summary.messageCount
            switch action {
            case .close:
                counts.threadsToClose += 1
                counts.messagesKept += messages
            case .closeAndPurge:
                counts.threadsToClose += 1
                counts.threadsToPurge += 1
                counts.messagesToPurge += messages
            case .purge:
                counts.threadsToPurge += 1
                counts.messagesToPurge += messages
            case .deleteMetadata:
                counts.metadataToDelete += 1
            case .keep(let reason):
                counts.threadsKept += 1
                counts.messagesKept += messages
                reasons[reason, default: 0] += 1
            case .held:
                counts.threadsHeld += 1
                counts.messagesHeld += messages
            }
            entries.append(.init(threadID: summary.thread.id, action: action, messages: messages, lastActivityAt: summary.thread.lastActivityAt))
        }
        return RetentionPlan(
            asOf: now, policyName: policy.name, policySHA256: policy.sha256, entries: entries, counts: counts, keepReasons: reasons)
    }

    static func days(_ interval: TimeInterval) -> String {
        if interval == 0 { return "0 days" }
        if interval.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(interval / 86_400)) days" }
        return "\(Int(interval / 3600)) hours"
    }
}
