import Foundation
import RelayModel

/// One aggregate counter of the trend reports: how many cases were first recorded in `month`
/// with these coarse fields. No thread, contact or account id, no content: it outlives every purge.
public struct TrendCount: Sendable, Equatable, Hashable {
    /// `YYYY-MM` (UTC) the cases were first counted.
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

/// A period of the trend reports (a quarter or a year), frozen the first time it was reported
/// (its aggregate counts and the policy, JSON).
public struct TrendSnapshotRecord: Sendable, Equatable {
    /// `YYYY-Qn` or `YYYY`.
    public var period: String
    /// The snapshot (aggregate counts and the policy; no id of anything).
    public var body: String
    /// When it was frozen.
    public var madeAt: StoreTime

    /// A record.
    public init(period: String, body: String, madeAt: StoreTime) {
        self.period = period
        self.body = body
        self.madeAt = madeAt
    }
}

/// Reads of the trend counters and frozen quarters.
public protocol TrendsReading {
    /// Every counter above zero, in key order.
    func trendCounts() async throws -> [TrendCount]
    /// Every frozen period.
    func trendSnapshots() async throws -> [TrendSnapshotRecord]
}

/// Writes of the trend counters, in the transaction of the case record change they follow.
public protocol TrendsWriting: TrendsReading {
    /// Adds `delta` to the counter of `key` (its `count` is ignored); a counter that reaches zero
    /// is removed; one that would go below zero stays at zero (a counter lost to a restore must not
    /// stop a case record's change, a do-not-contact flag among them).
    func adjustTrendCount(_ key: TrendCount, by delta: Int) async throws
    /// Freezes a period unless it already is (another instance may have been first): a frozen
    /// period never changes.
    func insertTrendSnapshot(_ snapshot: TrendSnapshotRecord) async throws
}
