import Foundation

/// A calendar quarter (UTC), written `YYYY-Qn`: the unit trend reports are frozen and suppressed in.
public struct TrendQuarter: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, 2000 to 2199.
    public let year: Int
    /// 1 to 4.
    public let quarter: Int

    /// A quarter, if both parts are in range.
    public init?(year: Int, quarter: Int) {
        guard (2000...2199).contains(year), (1...4).contains(quarter) else { return nil }
        self.year = year
        self.quarter = quarter
    }

    /// The quarter a month is in.
    public init(of month: TrendMonth) {
        self.year = month.year
        self.quarter = month.quarter
    }

    /// Parses `YYYY-Qn`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard text.utf8.count == 7, parts.count == 2, parts[1].count == 2, parts[1].first == "Q",
            let year = Int(parts[0]), let quarter = Int(parts[1].dropFirst())
        else { return nil }
        self.init(year: year, quarter: quarter)
    }

    /// Its three months, in order.
    public var months: [TrendMonth] { (1...3).map { TrendMonth(year: year, month: (quarter - 1) * 3 + $0)! } }

    /// The quarter before this one (the first quarter of 2000 stays).
    public var previous: TrendQuarter {
        quarter == 1 ? (TrendQuarter(year: year - 1, quarter: 4) ?? self) : TrendQuarter(year: year, quarter: quarter - 1)!
    }

    /// The quarter after this one (the last quarter of 2199 stays).
    public var next: TrendQuarter {
        quarter == 4 ? (TrendQuarter(year: year + 1, quarter: 1) ?? self) : TrendQuarter(year: year, quarter: quarter + 1)!
    }

    public var description: String { "\(year)-Q\(quarter)" }

    public static func < (lhs: TrendQuarter, rhs: TrendQuarter) -> Bool { (lhs.year, lhs.quarter) < (rhs.year, rhs.quarter) }
}
