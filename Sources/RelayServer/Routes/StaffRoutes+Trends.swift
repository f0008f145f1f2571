import Foundation
import Hummingbird
import RelayCore
import RelayModel

/// Trend reports for supervisors and compliance officers, and the choices behind them.
extension StaffRoutes {
    func registerTrends(on staff: RouterGroup<Context>) {
        // The regions and who-reached-out codes an advocate chooses from in a case record.
        staff.get("regions") { _, context in
            _ = try context.requireStaff()
            return try RequestSupport.json(RegionsAnswer(regions: relay.settings.trends.regions, reached_out_by: TrendKey.whoCodes))
        }
        staff.get("trends") { request, context in
            let session = try context.requireStaff()
            // The role before the query: an advocate learns nothing about what a report would hold.
            guard TrendService.readers.contains(session.identity.role) else { throw APIError.forbidden }
            let parameters = request.uri.queryParameters
            let query: TrendQuery
            do {
                query = try TrendQuery.parse(
                    by: parameters["by"].map(String.init) ?? "month", from: parameters["from"].map(String.init),
                    to: parameters["to"].map(String.init))
            } catch let invalid as TrendQuery.Invalid {
                throw APIError(.badRequest, code: invalid.code, message: invalid.message)
            }
            return try RequestSupport.json(try await relay.trends.report(query, by: session.identity))
        }
    }
}
