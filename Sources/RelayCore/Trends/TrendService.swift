import Foundation
import RelayModel
import RelayStore

/// Trend reports: aggregate counts by month, region and type, small cells suppressed (see
/// ``TrendTable``). For supervisors and compliance officers, never advocates; every report is
/// audited (who ran which view) before it is made, and refused if that cannot be written.
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
        var details = ["by": query.byText, "policy": policy.name]
        if let from = query.from { details["from"] = from.description }
        if let to = query.to { details["to"] = to.description }
        do {
            try await auditLog.record(AuditEvent(actor: actor, role: role, action: "trends.report", details: details))
        } catch {
            throw AccessError.auditUnavailable
        }
        // A month is reported once it is over: the current one still changes by the hour.
        let lastMonth = TrendMonth(of: clock.now()).previous
        let counts = try await store.read { try await $0.trendCounts() }.filter { TrendMonth($0.month).map { $0 <= lastMonth } ?? false }
        let table = await context.trendTables.table(counts: counts, lastMonth: lastMonth, policy: policy)
        return table.view(query)
    }
}
