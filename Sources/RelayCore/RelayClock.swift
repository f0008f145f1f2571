import Foundation
import RelayModel
import RelayStore

/// Where the relay reads the time. Tests inject a manual clock instead of sleeping.
public protocol RelayClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: RelayClock {
    /// Creates the system clock.
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to (for tests of expiry and retention).
public final class ManualClock: RelayClock, @unchecked Sendable {
    // Safety: `current` is guarded by `lock`.
    private let lock = NSLock()
    private var current: Date

    /// Starts at `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = start
    }

    public func now() -> Date {
        lock.withLock { current }
    }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) {
        lock.withLock { current += seconds }
    }
}

extension Date {
    /// RFC 3339 in UTC with seconds, e.g. `2026-11-23T20:00:00Z`.
    public var rfc3339: String {
        formatted(Self.rfc3339Style)
    }

    /// One style for every timestamp (made once: a style and a time zone are costly to make per call).
    private static let rfc3339Style: Date.ISO8601FormatStyle = {
        var style = Date.ISO8601FormatStyle()
        style.timeZone = TimeZone(identifier: "UTC")!
        return style
    }()
}
