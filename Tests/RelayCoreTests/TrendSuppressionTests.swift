import Foundation
import RelayCrypto
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

@testable import RelayCore

/// Trend reports publish no count from 1 to 10, and none can be worked out from what they do
/// publish: every view the tool makes (each grouping, each range of whole quarters, every total)
/// is read by ``TrendAttack``, which tries every linear combination of them — of one report, and
/// of reports taken at different times, under different policies, with cases recorded between.
/// Serialized: each test is seconds of CPU, and run all at once they would starve the other
/// suites' servers on a two-core machine.
@Suite(.serialized)
struct TrendSuppressionTests {
    static let policy = TrendPolicy(name: "test", sha256: "", threshold: 11, regions: TrendSample.regions)
    static let small = TrendSample.small
    static let months = (2025...2026).flatMap { year in (1...12).map { TrendMonth(year: year, month: $0)!.description } }

    /// The generated data set (``TrendSample``): the quiet region's type has 7 cases in all.
    static func generatedCounts(seed: UInt64 = 7) -> [TrendCount] { TrendSample.counts(seed: seed) }

    /// Runs `work` on a thread of its own: seconds of CPU on Swift's cooperative pool (two threads
    /// here) would starve every other suite's servers meanwhile.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// ``makeReport(_:through:unit:secondarySuppression:)`` off the pool.
    static func report(
        _ counts: [TrendCount], through: TrendQuarter, unit: TrendPolicy.Unit = .quarter, secondarySuppression: Bool = true
    ) async -> TrendReport {
        await offPool { makeReport(counts, through: through, unit: unit, secondarySuppression: secondarySuppression) }
    }

    /// `attack` after reading every view of `report`, and what it recovers then (off the pool).
    static func attacked(_ report: TrendReport, after attack: TrendAttack = newAttack()) async -> (attack: TrendAttack, recovered: [String]) {
        await offPool {
            var attack = attack
            readAll(report, into: &attack)
            return (attack, attack.recovered())
        }
    }

    /// Every period from 2025 through `through`'s quarter frozen from `counts` as the service
    /// would freeze them (quarters, or whole years), as a report.
    static func makeReport(
        _ counts: [TrendCount], through: TrendQuarter, unit: TrendPolicy.Unit = .quarter, secondarySuppression: Bool = true
    ) -> TrendReport {
        var policy = Self.policy
        policy.frozenBy = unit
        let periods = TrendService.periodsToFreeze(counted: TrendMonth(year: 2025, month: 1), frozen: [], current: through.next, unit: unit)
        let tables = periods.map { TrendTable(TrendSnapshot(period: $0, counters: counts, policy: policy), secondarySuppression: secondarySuppression) }
        return TrendReport(tables: tables, policy: policy, through: tables.last!.period.months.last!)
    }

    /// Every query the tool accepts over the months: each grouping, each range of whole quarters (and none).
    static func everyQuery() -> [TrendQuery] {
        var queries: [TrendQuery] = []
        let groupings = ["month", "quarter", "year", nil].flatMap { period in
            [[], ["region"], ["type"], ["region", "type"]].map { ([period].compactMap { $0 } + $0).joined(separator: ",") }
        }
        let starts = months.filter { $0.hasSuffix("-01") || $0.hasSuffix("-04") || $0.hasSuffix("-07") || $0.hasSuffix("-10") }
        let ends = months.filter { $0.hasSuffix("-03") || $0.hasSuffix("-06") || $0.hasSuffix("-09") || $0.hasSuffix("-12") }
        var ranges: [(String?, String?)] = [(nil, nil)]
        for from in starts { for to in ends where to > from { ranges.append((from, to)) } }
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

    static func newAttack() -> TrendAttack {
        TrendAttack(months: months, regions: policy.regions + [TrendPolicy.notRecorded], types: TrendKey.typeCodes)
    }

    /// Reads every view of `report` into `attack`; returns how many views.
    @discardableResult
    static func readAll(_ report: TrendReport, into attack: inout TrendAttack) -> Int {
        let queries = everyQuery()
        for query in queries { attack.read(report.view(query)) }
        return queries.count
    }

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
        let report = await Self.report(counts, through: TrendQuarter(year: 2026, quarter: 3)!)
        let (attack, recovered) = await Self.attacked(report)
        #expect(Self.everyQuery().count > 400)
        // Published numbers are true ones, and nothing from 1 to 10 is published (checked off the pool too).
        let (truth, wrong) = await Self.offPool { () -> ([Int: Int], [Int]) in
            var truth: [Int: Int] = [:]
            for count in counts where count.month <= "2026-09" {
                let month = attack.months.firstIndex(of: count.month)!
                let region = attack.regions.firstIndex(of: count.region)!
                let type = attack.types.firstIndex(of: count.type)!
                truth[attack.base(month, region, type), default: 0] += count.count
            }
            let wrong = attack.equations.filter { cells, value in cells.reduce(0) { $0 + (truth[$1] ?? 0) } != value || (value > 0 && value < 11) }
            return (truth, wrong.map(\.value))
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        // The quiet region's type is shown suppressed wherever it is shown.
        let whole = report.view(try TrendQuery.parse(by: "region,type", from: nil, to: nil))
        #expect(whole.cells.first { $0.region == "west" && $0.type == Self.small }?.count == nil)
        // And the report is still worth reading: the totals of every busy region, type and the whole are published.
        #expect(whole.cells.first { $0.region == "all" && $0.type == "all" }?.count == truth.values.reduce(0, +))
        // Frozen by quarter, a span's totals are sums of quarters: the busy regions' still are.
        for region in ["north", "south", "east"] { #expect(whole.cells.first { $0.region == region && $0.type == "all" }?.count != nil) }
        #expect(attack.targets.count > 50)
        #expect(recovered == [])
    }

    /// The attack is not blind: with only the small cells suppressed (no secondary suppression),
    /// it works the quiet region's counts out of the totals.
    @Test func withoutSecondarySuppressionTheAttackRecoversSmallCells() async {
        let report = await Self.report(Self.generatedCounts(), through: TrendQuarter(year: 2026, quarter: 3)!, secondarySuppression: false)
        #expect(await Self.attacked(report).recovered.contains { $0.contains("west \(Self.small)") })
    }

    /// Other data sets (seeds) are as safe: the guarantee is the method's, not this one's data.
    @Test(arguments: [1, 2] as [UInt64])
    func otherDataSetsAreAsSafe(seed: UInt64) async {
        let report = await Self.report(Self.generatedCounts(seed: seed), through: TrendQuarter(year: 2026, quarter: 3)!)
        #expect(await Self.attacked(report).recovered == [])
    }

    /// Frozen by year (the policy's `frozen_by: year`): a year is reported once it is over, in full
    /// detail — its busy regions' types are published — and nothing small falls out of it.
    @Test(arguments: [7, 3] as [UInt64])
    func yearsFrozenWholeKeepTheirDetailAndGiveNothingAway(seed: UInt64) async throws {
        let report = await Self.report(Self.generatedCounts(seed: seed), through: TrendQuarter(year: 2026, quarter: 3)!, unit: .year)
        #expect(report.tables.map(\.period.description) == ["2025"])
        #expect(await Self.attacked(report).recovered == [])
        let year = report.view(try TrendQuery.parse(by: "region,type", from: "2025-01", to: "2025-12"))
        #expect(year.cells.first { $0.region == "west" && $0.type == Self.small }?.count == nil)
        let published = year.cells.filter { ["north", "south", "east"].contains($0.region) && TrendSample.types.dropLast().contains($0.type ?? "") }
        #expect(published.filter { $0.count != nil }.count >= 5, "\(published)")
        for region in ["north", "south", "east", "west", "all"] { #expect(year.cells.first { $0.region == region && $0.type == "all" }?.count != nil) }
    }

    /// Reports taken a quarter apart through the real service — with cases recorded in between,
    /// late corrections to a reported quarter and the policy changed — publish nothing that, read
    /// together, gives a small count away: a reported quarter is frozen, the open one is not shown.
    @Test func reportsTakenAtDifferentTimesGiveNothingAwayTogether() async throws {
        let harness = try RelayHarness()
        defer { harness.tearDown() }
        let generated = Self.generatedCounts()
        let early = generated.filter { $0.month <= "2026-04" }
        try await harness.store.write { writer in for count in early { try await writer.adjustTrendCount(count, by: count.count) } }
        var settings = RelaySettings()
        settings.trends = Self.policy
        // 2026-05-15: 2026-Q1 is the last quarter that is over.
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_778_803_200))
        let relay = Relay(store: harness.store, keyring: .generate(now: "2026-05-15T00:00:00Z"), clock: clock, settings: settings, logger: harness.logs.logger())
        var attack = Self.newAttack()
        var recovered: [String] = []
        let supervisor = StaffIdentity(accountID: "s1", name: "sam", role: .supervisor)
        _ = try await relay.trends.report(try TrendQuery.parse(by: "quarter", from: nil, to: nil), by: supervisor)
        let first = try await relay.trends.currentReport()
        #expect(first.through?.description == "2026-03")
        (attack, recovered) = await Self.attacked(first, after: attack)
        // The rest of the data arrives, a reported quarter is corrected (a case moves between
        // regions in 2025-03, one more lands in 2025-04), and the policy changes.
        let later = generated.filter { $0.month > "2026-04" }
        try await harness.store.write { writer in
            for count in later { try await writer.adjustTrendCount(count, by: count.count) }
            try await writer.adjustTrendCount(TrendCount(month: "2025-03", region: "west", type: Self.small, channel: "sms", who: "survivor", count: 1), by: -1)
            try await writer.adjustTrendCount(TrendCount(month: "2025-03", region: "north", type: Self.small, channel: "sms", who: "survivor", count: 1), by: 1)
            try await writer.adjustTrendCount(TrendCount(month: "2025-04", region: "west", type: Self.small, channel: "sms", who: "other", count: 1), by: 1)
        }
        var other = settings
        other.trends = TrendPolicy(name: "other", sha256: "", threshold: 11, regions: ["west", "east", "south", "north"], frozenBy: .year)
        clock.advance(by: 150 * 86_400) // 2026-10-12: 2026-Q3 is over.
        let relayLater = Relay(store: harness.store, keyring: .generate(now: "2026-10-12T00:00:00Z"), clock: clock, settings: other, logger: harness.logs.logger())
        let second = try await relayLater.trends.currentReport()
        #expect(second.through?.description == "2026-09")
        // The quarters reported before are shown exactly as before.
        let before = first.view(try TrendQuery.parse(by: "month,region,type", from: nil, to: nil))
        let after = second.view(try TrendQuery.parse(by: "month,region,type", from: "2025-01", to: "2026-03"))
        func keyed(_ view: TrendView) -> [String: Int?] {
            Dictionary(uniqueKeysWithValues: view.cells.map { ("\($0.period ?? "") \($0.region ?? "") \($0.type ?? "")", $0.count) })
        }
        #expect(keyed(before) == keyed(after))
        #expect(!before.cells.isEmpty)
        (attack, recovered) = await Self.attacked(second, after: attack)
        #expect(recovered == [])
        // A stricter threshold later: the quarters frozen under 11 show only their zeros.
        var stricter = settings
        stricter.trends = TrendPolicy(name: "stricter", sha256: "", threshold: 15, regions: TrendSample.regions)
        let third = try await Relay(store: harness.store, keyring: .generate(now: "2026-10-12T00:00:00Z"), clock: clock, settings: stricter, logger: harness.logs.logger())
            .trends.currentReport()
        let hidden = third.view(try TrendQuery.parse(by: "month,region,type", from: "2025-01", to: "2026-03"))
        #expect(!hidden.cells.isEmpty && hidden.cells.allSatisfy { $0.count == nil || $0.count == 0 })
        (attack, recovered) = await Self.attacked(third, after: attack)
        #expect(recovered == [])
        #expect(attack.equations.values.allSatisfy { $0 == 0 || $0 >= 11 })
    }
}
