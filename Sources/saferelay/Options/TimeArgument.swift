import ArgumentParser
import Foundation

/// Parses `--as-of` and `--since` values: RFC 3339 (`2026-11-23T20:00:00Z`) or a date
/// (`2026-11-23`, midnight UTC). A bad one is a usage error (exit 64), found by `validate()`.
enum TimeArgument {
    static func parse(_ text: String) throws -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        var dateOnly = Date.ISO8601FormatStyle().year().month().day()
        dateOnly.timeZone = TimeZone(identifier: "UTC")!
        if let date = try? Date(text, strategy: dateOnly) { return date }
        throw ValidationError("`\(text.prefix(40))` is not a time; use RFC 3339 like 2026-11-23T20:00:00Z or a date like 2026-11-23")
    }
}
