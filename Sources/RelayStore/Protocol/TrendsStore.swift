import Foundation

/// One aggregate counter of the trend reports: how many cases were first recorded in `month`
/// with these coarse fields. No thread, contact or account id, no content: it outlives every purge.
public struct TrendCount: Sendable, Equatable, Hashable {
    /// `YYYY-MM` (UTC) of the contact's first message.
    public var month: String
    /// A region code or `not-recorded`.
    public var region: String
    /// A typology tag, `several` or `not-recorded`.
    public var type: String
    /// The channel the person first came in by.
    public var channel: String
    /// Who reached out (`survivor`, …) or `not-recorded`.
    public var who: String
    /// How many cases (never negative).
    public var count: Int

    /// A counter.
    public init(month: String, region: String, type: String, channel: String, who: String, count: Int) {
        self.month = month
        self.region = region
        self.type = type
        self.channel = channel
        self.who = who
        self.count = count
    }
}

/// Reads of the trend counters.
public protocol TrendsReading {
    /// Every counter above zero, in key order.
    func trendCounts() async throws -> [TrendCount]
}

/// Writes of the trend counters, in the transaction of the case record change they follow.
public protocol TrendsWriting: TrendsReading {
    /// Adds `delta` (+1 or -1) to the counter of `key` (its `count` is ignored); a counter that
    /// reaches zero is removed. Refuses to go below zero (`StoreError.corruptRow`).
    func adjustTrendCount(_ key: TrendCount, by delta: Int) async throws
}
