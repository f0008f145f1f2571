import Foundation
import RelayStore

/// One period's counts (a quarter, or a year) as they were the first time it was reported, and
/// the policy they were suppressed under. Every later report shows that period from this, never
/// from the counters again: two reports taken at different times publish the same numbers for it,
/// so neither their difference nor a later correction can give a small count away.
public struct TrendSnapshot: Codable, Sendable, Equatable {
    /// One base count: cases of a month, region and type (channels and who reached out summed).
    public struct Count: Codable, Sendable, Equatable {
        public var month: String
        public var region: String
        public var type: String
        public var count: Int
    }

    /// `YYYY-Qn` or `YYYY`.
    public var period: String
    /// The policy's name and SHA-256 when the quarter was frozen.
    public var policy: String
    public var policySHA256: String
    /// Its threshold and regions (the order matters: it decides ties in the choice of witnesses).
    public var threshold: Int
    public var regions: [String]
    /// The period's counts, in key order.
    public var counts: [Count]
    /// The types in the order its lattice lists them (the order decides ties in the choice of
    /// witnesses: a later typology must not change a frozen period's suppression).
    public var types: [String]?
    /// Which cells of its lattice are suppressed, decided when it was frozen: one bit per cell in
    /// the lattice's order, base64. Later reports apply it and never search again, so no change of
    /// code or data can show the same period suppressed two ways.
    public var suppressed: String?
    /// The layout of the lattice `suppressed` refers to.
    public var layout: Int?

    /// The lattice layout this version writes and reads.
    static let currentLayout = 1

    /// A snapshot of the counters' period under `policy`.
    public init(period: TrendPeriod, counters: [TrendCount], policy: TrendPolicy) {
        let months = Set(period.months.map(\.description))
        var merged: [String: Count] = [:]
        for counter in counters where months.contains(counter.month) && counter.count > 0 {
            let key = counter.month + "\u{1F}" + counter.region + "\u{1F}" + counter.type
            merged[key, default: Count(month: counter.month, region: counter.region, type: counter.type, count: 0)].count += counter.count
        }
        self.period = period.description
        self.policy = policy.name
        self.policySHA256 = policy.sha256
        self.threshold = policy.threshold
        self.regions = policy.regions
        self.counts = merged.keys.sorted().map { merged[$0]! }
        self.types = nil
        self.suppressed = nil
        self.layout = nil
    }

    /// This snapshot with its lattice's decisions written in (see ``suppressed``).
    func sealed(by table: TrendTable) -> TrendSnapshot {
        var copy = self
        copy.types = table.typeCodes
        copy.suppressed = table.suppressionMask()
        copy.layout = Self.currentLayout
        return copy
    }

    /// As stored: JSON with sorted keys.
    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// From its stored form.
    static func decode(_ body: String) throws -> TrendSnapshot {
        try JSONDecoder().decode(TrendSnapshot.self, from: Data(body.utf8))
    }
}
