import Foundation
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

    /// Every period that is over, frozen (the ones reported for the first time now, from the
    /// counters under the current policy), with its table.
    func currentReport() async throws -> TrendReport {
        let policy = settings.trends
        let now = clock.now()
        let current = TrendQuarter(of: TrendMonth(of: now))
        var frozen = try await snapshots()
        let counters = try await store.read { try await $0.trendCounts() }
        let missing = Self.periodsToFreeze(
            counted: counters.compactMap { TrendMonth($0.month) }.min(), frozen: frozen.compactMap { TrendPeriod($0.period) },
            current: current, unit: policy.frozenBy)
        if !missing.isEmpty {
            let records = try missing.map { period in
                TrendSnapshotRecord(period: period.description, body: try TrendSnapshot(period: period, counters: counters, policy: policy).encoded(), madeAt: now.storeTime)
            }
            try await store.write { writer in for record in records { try await writer.insertTrendSnapshot(record) } }
            // Another instance may have frozen one first: what is stored is what counts.
            frozen = try await snapshots()
        }
        let reported = frozen.filter { TrendPeriod($0.period).map { $0.months.last! < current.months[0] } ?? false }
        let tables = await context.trendTables.tables(for: reported)
        let through = tables.map { $0.period.months.last! }.max() ?? current.previous.months[2]
        return TrendReport(tables: tables, policy: policy, through: through)
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

    /// The frozen periods, oldest first.
    func snapshots() async throws -> [TrendSnapshot] {
        try await store.read { try await $0.trendSnapshots() }.map { record in
            guard let snapshot = try? TrendSnapshot.decode(record.body), snapshot.period == record.period else {
                throw StoreError.corruptRow(table: "trend_snapshot")
            }
            return snapshot
        }
    }
}
