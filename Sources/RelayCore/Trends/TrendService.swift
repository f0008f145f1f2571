import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// Trend reports: aggregate counts by month, quarter, year, region and type, small cells
/// suppressed (see ``TrendTable``). For supervisors and compliance officers, never advocates; every
/// report is audited (who ran which view, under which policy) before anything is read, and refused
/// if that cannot be written. A quarter (or a year, by policy) is reported once it is over, and
/// frozen the first time it is: every later report shows it as it was then (see ``TrendSnapshot``).
public struct TrendService: RelayService {
    let context: RelayContext

    /// Roles that may run trend reports.
    public static let readers: Set<Role> = [.supervisor, .compliance]

    /// A report for a signed-in member of staff.
    public func report(_ query: TrendQuery, by identity: StaffIdentity) async throws -> TrendView {
        guard Self.readers.contains(identity.role) else { throw AccessError.forbidden }
        return try await report(query, actor: identity.name, role: identity.role.rawValue)
    }

    /// A report from the command line (`saferelay trends`), attributed to `actor` as compliance.
    public func report(_ query: TrendQuery, actor: String) async throws -> TrendView {
        try await report(query, actor: actor, role: Role.compliance.rawValue)
    }

    func report(_ query: TrendQuery, actor: String, role: String) async throws -> TrendView {
        let policy = settings.trends
        var details = ["by": query.byText, "policy": policy.name, "policy_sha256": policy.sha256, "threshold": "\(policy.threshold)"]
        if let from = query.from { details["from"] = from.description }
        if let to = query.to { details["to"] = to.description }
        do {
            try await auditLog.record(AuditEvent(actor: actor, role: role, action: "trends.report", details: details))
        } catch {
            throw AccessError.auditUnavailable
        }
        return try await currentReport().view(query)
    }

    /// How long after its end a quarter waits before it is frozen: a case counted in its last
    /// second, or on an instance whose clock is behind, still lands in it.
    public static let freezeMargin: TimeInterval = 86_400

    /// Every period that is over, frozen (the ones reported for the first time now, from the
    /// counters under the current policy), with its table.
    func currentReport() async throws -> TrendReport {
        let policy = settings.trends
        let now = clock.now()
        let current = TrendQuarter(of: TrendMonth(of: now.addingTimeInterval(-Self.freezeMargin)))
        var frozen = try await snapshots()
        let counters = try await store.read { try await $0.trendCounts() }
        let missing = Self.periodsToFreeze(
            counted: counters.compactMap { TrendMonth($0.month) }.min(), frozen: frozen.compactMap { TrendPeriod($0.period) },
            current: current, unit: policy.frozenBy)
        if !missing.isEmpty {
            // Suppressed off the request pool, then stored with their decisions; in the write, only
            // periods no stored one overlaps (another instance, another policy may have been first).
            let sealed = await context.trendTables.freeze(missing.map { TrendSnapshot(period: $0, counters: counters, policy: policy) })
            let records = try sealed.map { TrendSnapshotRecord(period: $0.period, body: try $0.encoded(), madeAt: now.storeTime) }
            try await store.write { writer in
                var covered = Set(try await writer.trendSnapshots().compactMap { TrendPeriod($0.period) }.flatMap(\.months))
                for record in records {
                    guard let period = TrendPeriod(record.period), !period.months.contains(where: covered.contains) else { continue }
                    try await writer.insertTrendSnapshot(record)
                    covered.formUnion(period.months)
                    _ = try await AuditLog.append(
                        AuditEvent(
                            actor: "system", role: "system", action: "trends.freeze",
                            details: ["period": record.period, "sha256": Hex.encode(SHA256.hash(Array(record.body.utf8))), "policy": policy.name]),
                        at: now, writer: writer)
                }
            }
            frozen = try await snapshots()
        }
        let reported = frozen.filter { TrendPeriod($0.period).map { $0.months.last! < current.months[0] } ?? false }
        let tables = await context.trendTables.tables(for: reported)
        return TrendReport(tables: tables, policy: policy, through: tables.map { $0.period.months.last! }.max())
    }

    /// The periods to freeze now: from the first counted (or frozen) month through the last quarter
    /// that is over, every quarter — or, by year, every year that is over — none of whose months a
    /// frozen period covers yet. A year partly frozen by quarter (the policy changed) goes on by quarter.
    static func periodsToFreeze(counted: TrendMonth?, frozen: [TrendPeriod], current: TrendQuarter, unit: TrendPolicy.Unit) -> [TrendPeriod] {
        guard let first = ([counted] + frozen.map { $0.months.first }).compactMap({ $0 }).min() else { return [] }
        let covered = Set(frozen.flatMap(\.months))
        var missing: [TrendPeriod] = []
        var quarter = TrendQuarter(year: first.year, quarter: unit == .year ? 1 : first.quarter)!
        while quarter < current {
            let year = TrendPeriod(year: quarter.year)!
            if unit == .year, quarter.quarter == 1, !year.months.contains(where: covered.contains) {
                // A whole year, once it is over; the open year waits.
                if quarter.year < current.year { missing.append(year) }
                quarter = TrendQuarter(year: quarter.year + 1, quarter: 1) ?? current
                continue
            }
            if !quarter.months.contains(where: covered.contains) { missing.append(TrendPeriod(quarter)) }
            guard quarter.next != quarter else { break }
            quarter = quarter.next
        }
        return missing
    }

    /// The frozen periods, oldest first; of two that overlap (a copy restored over later
    /// freezes, a store written by an older version), the one frozen first.
    func snapshots() async throws -> [TrendSnapshot] {
        let records = try await store.read { try await $0.trendSnapshots() }.sorted { ($0.madeAt, $0.period) < ($1.madeAt, $1.period) }
        var covered = Set<TrendMonth>()
        var kept: [TrendSnapshot] = []
        for record in records {
            guard let snapshot = try? TrendSnapshot.decode(record.body), snapshot.period == record.period, let period = TrendPeriod(record.period) else {
                throw StoreError.corruptRow(table: "trend_snapshot")
            }
            guard !period.months.contains(where: covered.contains) else {
                logger.error("an overlapping frozen trend period is left out", metadata: ["trends.period": "\(record.period)"])
                continue
            }
            covered.formUnion(period.months)
            kept.append(snapshot)
        }
        return kept.sorted { (TrendPeriod($0.period) ?? TrendPeriod(year: 2000)!) < (TrendPeriod($1.period) ?? TrendPeriod(year: 2000)!) }
    }
}
