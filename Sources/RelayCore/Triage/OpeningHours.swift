import Foundation

/// When the hotline's advocates answer, week by week in one time zone. Outside these hours a new
/// conversation gets the after-hours answer instead of the first answer.
public struct OpeningHours: Sendable, Equatable {
    /// A span within one day, in minutes after midnight (`end` up to 1,440).
    public struct Span: Sendable, Equatable {
        public var start: Int
        public var end: Int
    }

    /// The zone the hours are in (daylight saving follows it).
    public var timeZone: TimeZone
    /// Spans per weekday, 1 = Sunday … 7 = Saturday (the Gregorian calendar's numbering); a day
    /// not present is closed.
    public var weekly: [Int: [Span]]

    /// The day names the policy file uses, in the calendar's order.
    public static let dayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// Whether advocates answer at `date`.
    public func isOpen(at date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return true }
        let minutes = hour * 60 + minute
        return (weekly[weekday] ?? []).contains { $0.start <= minutes && minutes < $0.end }
    }

    /// Parses a day's hours: `closed`, or spans like `09:00-17:00` separated by commas.
    static func spans(_ text: String) -> [Span]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "closed" { return [] }
        var result: [Span] = []
        for part in trimmed.split(separator: ",") {
            let ends = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard ends.count == 2, let start = minutes(ends[0]), let end = minutes(ends[1]), start < end else { return nil }
            result.append(Span(start: start, end: end))
        }
        return result.isEmpty ? nil : result
    }

    private static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 1440
        else { return nil }
        return hour * 60 + minute
    }
}
