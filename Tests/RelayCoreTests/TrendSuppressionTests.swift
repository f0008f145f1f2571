import Foundation
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayCore

/// Trend reports publish no count from 1 to 10, and none can be worked out from what they do
/// publish: every view the tool makes (each grouping, each range of whole months, every total)
/// is read by ``TrendAttack``, which tries every linear combination of them.
struct TrendSuppressionTests {
    static let policy = TrendPolicy(name: "test", sha256: "", threshold: 11, regions: TrendSample.regions)
    static let small = TrendSample.small

    /// The generated data set (``TrendSample``): the quiet region's type has 7 cases in all.
    static func generatedCounts(seed: UInt64 = 7) -> [TrendCount] { TrendSample.counts(seed: seed) }

    /// Every query the tool accepts over the table's months: each grouping, each range of whole
    /// months (and none).
    static func everyQuery(months: [String]) -> [TrendQuery] {
        var queries: [TrendQuery] = []
        let groupings = ["month", "quarter", "year", nil].flatMap { period in
            [[], ["region"], ["type"], ["region", "type"]].map { ([period].compactMap { $0 } + $0).joined(separator: ",") }
        }
        var ranges: [(String?, String?)] = [(nil, nil)]
        for (i, from) in months.enumerated() { for to in months[i...] { ranges.append((from, to)) } }
        for by in groupings {
            for (from, to) in ranges {
                if by.isEmpty {
                    // `--by` needs a word; the grand total over a range is in every other view.
                    queries.append(TrendQuery(from: from.flatMap(TrendMonth.init), to: to.flatMap(TrendMonth.init)))
                } else if let query = try? TrendQuery.parse(by: by, from: from, to: to) {
                    queries.append(query)
                }
            }
        }
        return queries
    }

    static func attack(_ table: TrendTable) -> (TrendAttack, Int) {
        let months = (2025...2026).flatMap { year in (1...12).map { TrendMonth(year: year, month: $0)!.description } }
        var attack = TrendAttack(months: months, regions: policy.regions + [TrendPolicy.notRecorded], types: TrendKey.typeCodes)
        var views = 0
        for query in everyQuery(months: months) {
            attack.read(table.view(query))
            views += 1
        }
        return (attack, views)
    }

    static func lastMonth() -> TrendMonth { TrendMonth(year: 2026, month: 11)! }

    @Test func noSuppressedCountCanBeRecoveredFromEveryViewAndTheirDifferences() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        // Through the real store, as the case records would have written them.
        let generated = Self.generatedCounts()
        try await harness.store.write { writer in
            for count in generated { try await writer.adjustTrendCount(count, by: count.count) }
        }
        let counts = try await harness.store.read { try await $0.trendCounts() }
        #expect(counts == generated)
        let table = TrendTable(counts: counts, policy: Self.policy, lastMonth: Self.lastMonth())
        let (attack, views) = Self.attack(table)
        #expect(views > 1_500)
        // Published numbers are true ones, and nothing from 1 to 10 is published.
        var truth: [Int: Int] = [:]
        for count in counts {
            let month = attack.months.firstIndex(of: count.month)!
            let region = attack.regions.firstIndex(of: count.region)!
            let type = attack.types.firstIndex(of: count.type)!
            truth[attack.base(month, region, type), default: 0] += count.count
        }
        for (cells, value) in attack.equations {
            #expect(cells.reduce(0) { $0 + (truth[$1] ?? 0) } == value)
            #expect(value == 0 || value >= 11)
        }
        // The quiet region's type is shown suppressed wherever it is shown.
        let whole = table.view(try TrendQuery.parse(by: "region,type", from: nil, to: nil))
        #expect(whole.cells.first { $0.region == "west" && $0.type == Self.small }?.count == nil)
        // And the report is still worth reading: the totals of every busy region, type and the whole are published.
        #expect(whole.cells.first { $0.region == "all" && $0.type == "all" }?.count == truth.values.reduce(0, +))
        for region in ["north", "south", "east"] { #expect(whole.cells.first { $0.region == region && $0.type == "all" }?.count != nil) }
        for type in TrendSample.types.dropLast() { #expect(whole.cells.first { $0.region == "all" && $0.type == type }?.count != nil) }
        #expect(attack.targets.count > 50)
        #expect(attack.recovered() == [])
    }

    /// The attack is not blind: with only the small cells suppressed (no secondary suppression),
    /// it works the quiet region's count out of the totals.
    @Test func withoutSecondarySuppressionTheAttackRecoversSmallCells() {
        let table = TrendTable(counts: Self.generatedCounts(), policy: Self.policy, lastMonth: Self.lastMonth(), secondarySuppression: false)
        let (attack, _) = Self.attack(table)
        let recovered = attack.recovered()
        #expect(recovered.contains { $0.contains("west \(Self.small)") })
    }

    /// Other data sets (seeds) are as safe: the guarantee is the method's, not this one's data.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func otherDataSetsAreAsSafe(seed: UInt64) {
        let table = TrendTable(counts: Self.generatedCounts(seed: seed), policy: Self.policy, lastMonth: Self.lastMonth())
        let (attack, _) = Self.attack(table)
        #expect(attack.recovered() == [])
    }
}
