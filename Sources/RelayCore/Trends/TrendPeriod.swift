/// What one frozen snapshot covers: a quarter (`YYYY-Qn`) or a whole year (`YYYY`), as the trends
/// policy's `frozen_by` says.
public struct TrendPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year.
    public let year: Int
    /// 1 to 4, or `nil` for the whole year.
    public let quarter: Int?

    /// A quarter.
    public init(_ quarter: TrendQuarter) {
        self.year = quarter.year
        self.quarter = quarter.quarter
    }

    /// A whole year (2000 to 2199).
    public init?(year: Int) {
        guard (2000...2199).contains(year) else { return nil }
        self.year = year
        self.quarter = nil
    }

    /// Parses `YYYY-Qn` or `YYYY`.
    public init?(_ text: String) {
        if let quarter = TrendQuarter(text) {
            self.init(quarter)
        } else if text.utf8.count == 4, text.allSatisfy(\.isASCII), let year = Int(text) {
            self.init(year: year)
        } else {
            return nil
        }
    }

    /// Its quarters, in order.
    public var quarters: [TrendQuarter] {
        if let quarter { return [TrendQuarter(year: year, quarter: quarter)!] }
        return (1...4).map { TrendQuarter(year: year, quarter: $0)! }
    }

    /// Its months, in order.
    public var months: [TrendMonth] { quarters.flatMap(\.months) }

    public var description: String { quarter.map { "\(year)-Q\($0)" } ?? "\(year)" }

    public static func < (lhs: TrendPeriod, rhs: TrendPeriod) -> Bool {
        (lhs.months[0], lhs.months.count) < (rhs.months[0], rhs.months.count)
    }
}
