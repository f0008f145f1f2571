import Foundation

/// Which view of the trends to publish: the grouping and a range of whole months.
public struct TrendQuery: Sendable, Equatable {
    /// A level of the time hierarchy.
    public enum Period: String, Sendable, CaseIterable {
        case month, quarter, year

        /// Months per period.
        var months: Int {
            switch self {
            case .month: 1
            case .quarter: 3
            case .year: 12
            }
        }
    }

    /// Rows per period, or one total for the whole range.
    public var period: Period?
    /// A row per region.
    public var byRegion: Bool
    /// A row per type.
    public var byType: Bool
    /// First month (default: the first counted).
    public var from: TrendMonth?
    /// Last month (default: the last whole month).
    public var to: TrendMonth?

    /// A query.
    public init(period: Period? = nil, byRegion: Bool = false, byType: Bool = false, from: TrendMonth? = nil, to: TrendMonth? = nil) {
        self.period = period
        self.byRegion = byRegion
        self.byType = byType
        self.from = from
        self.to = to
    }

    /// Why a query was refused (the message is safe to show: it names only the query's own words).
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        /// A short code (`invalid_by`, `invalid_month`, `invalid_range`).
        public let code: String
        /// What to fix.
        public let message: String
        public var description: String { message }
    }

    /// Parses `--by month,region,type` (each of `month|quarter|year`, `region`, `type` at most
    /// once, at most one period) and `--from` / `--to` (`YYYY-MM`: the first and last month of a
    /// quarter, of a year with years).
    public static func parse(by: String, from: String?, to: String?) throws(Invalid) -> TrendQuery {
        guard by.utf8.count <= 64 else { throw Invalid(code: "invalid_by", message: "by is at most 64 characters") }
        var query = TrendQuery()
        let words = by.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !by.isEmpty else { throw Invalid(code: "invalid_by", message: "by needs at least one of month, quarter, year, region, type") }
        var seen = Set<String>()
        for word in words {
            guard seen.insert(word).inserted else { throw Invalid(code: "invalid_by", message: "by names `\(word.prefix(12))` twice") }
            if let period = Period(rawValue: word) {
                guard query.period == nil else { throw Invalid(code: "invalid_by", message: "by takes one of month, quarter or year") }
                query.period = period
            } else if word == "region" {
                query.byRegion = true
            } else if word == "type" {
                query.byType = true
            } else {
                throw Invalid(code: "invalid_by", message: "by takes month, quarter or year, region and type, separated by commas")
            }
        }
        func month(_ text: String?, _ name: String) throws(Invalid) -> TrendMonth? {
            guard let text else { return nil }
            guard let month = TrendMonth(text) else { throw Invalid(code: "invalid_month", message: "\(name) must be a month written YYYY-MM") }
            return month
        }
        query.from = try month(from, "from")
        query.to = try month(to, "to")
        if let first = query.from, let last = query.to, last < first { throw Invalid(code: "invalid_range", message: "from must not be after to") }
        // Quarters are the unit reports are frozen and suppressed in: a range is whole quarters
        // (whole years with years).
        let months = max(query.period?.months ?? 3, 3)
        let unit = months == 12 ? "year" : "quarter"
        if let first = query.from, (first.month - 1) % months != 0 {
            throw Invalid(code: "invalid_range", message: "from must be the first month of a \(unit) (reports are made of whole \(unit)s)")
        }
        if let last = query.to, last.month % months != 0 {
            throw Invalid(code: "invalid_range", message: "to must be the last month of a \(unit) (reports are made of whole \(unit)s)")
        }
        return query
    }

    /// The grouping as written (`month,region,type`).
    public var byText: String {
        ([period?.rawValue] + [byRegion ? "region" : nil, byType ? "type" : nil]).compactMap { $0 }.joined(separator: ",")
    }
}
