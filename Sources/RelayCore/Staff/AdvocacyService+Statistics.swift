import Foundation
import RelayModel
import RelayStore

/// Queue statistics for supervisors: counts and durations only, no content, no pseudonyms.
public struct QueueStatistics: Sendable, Equatable, Codable {
    /// One channel's figures.
    public struct Channel: Sendable, Equatable, Codable {
        /// Open threads with no advocate reply yet.
        public var waitingNow = 0
        /// The longest current wait for a first reply, in seconds.
        public var longestWaitSeconds: Double = 0
        /// Threads opened in the window that got a first reply.
        public var answeredInWindow = 0
        /// Median seconds from opening to first reply over the window.
        public var firstResponseP50Seconds: Double?
        /// 90th percentile of the same.
        public var firstResponseP90Seconds: Double?
    }

    /// The window's start (RFC 3339).
    public var since: String
    /// The window's end.
    public var until: String
    /// Figures by channel (`sms`, `webchat`) and `all`.
    public var channels: [String: Channel]
}

extension AdvocacyService {
    /// Supervisor statistics over a window (default: the last 24 hours).
    public func statistics(by identity: StaffIdentity, since: Date? = nil, until: Date? = nil) async throws -> QueueStatistics {
        try AccessPolicy.requireSupervisor(identity)
        let now = clock.now()
        let end = until ?? now
        let start = since ?? end.addingTimeInterval(-86_400)
        let (open, opened) = try await store.read { reader in
            (try await reader.openThreads(limit: 100_000), try await reader.threads(openedSince: start.storeTime, until: end.storeTime, limit: 1_000_000))
        }
        var channels: [String: QueueStatistics.Channel] = [:]
        var responses: [String: [Double]] = [:]
        for thread in open where thread.firstResponseAt == nil {
            let wait = max(0, now.timeIntervalSince(Date(storeTime: thread.openedAt)))
            for key in [thread.channel.rawValue, "all"] {
                channels[key, default: .init()].waitingNow += 1
                channels[key, default: .init()].longestWaitSeconds = max(channels[key]!.longestWaitSeconds, wait)
            }
        }
        for thread in opened {
            guard let first = thread.firstResponseAt else { continue }
            let seconds = Double(first - thread.openedAt) / 1000
            for key in [thread.channel.rawValue, "all"] { responses[key, default: []].append(seconds) }
        }
        for (key, values) in responses {
            let sorted = values.sorted()
            func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))] }
            channels[key, default: .init()].answeredInWindow = sorted.count
            channels[key, default: .init()].firstResponseP50Seconds = percentile(0.5)
            channels[key, default: .init()].firstResponseP90Seconds = percentile(0.9)
        }
        for key in ["sms", "webchat", "all"] where channels[key] == nil { channels[key] = .init() }
        return QueueStatistics(since: start.rfc3339, until: end.rfc3339, channels: channels)
    }
}
