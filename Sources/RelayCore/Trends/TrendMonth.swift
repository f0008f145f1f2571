import Foundation

/// A calendar month (UTC), written `YYYY-MM`.
public struct TrendMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, 2000 to 2199.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int

    /// A month, if both parts are in range.
    public init?(year: Int, month: Int) {
        guard (2000...2199).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 7, parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        self.init(year: year, month: month)
    }

    /// The UTC month of a time.
    public init(of date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: date)
        self.year = min(max(parts.year ?? 2000, 2000), 2199)
        self.month = parts.month ?? 1
    }

    /// Months since January 2000.
    public var ordinal: Int { (year - 2000) * 12 + (month - 1) }

    /// The month before this one (January 2000 stays).
    public var previous: TrendMonth {
        month == 1 ? (TrendMonth(year: year - 1, month: 12) ?? self) : TrendMonth(year: year, month: month - 1)!
    }

    /// 1 to 4.
    public var quarter: Int { (month - 1) / 3 + 1 }

    public var description: String { String(format: "%04d-%02d", year, month) }

    public static func < (lhs: TrendMonth, rhs: TrendMonth) -> Bool { lhs.ordinal < rhs.ordinal }
}
