import Foundation

/// Times in the store and the domain: whole milliseconds since 1970-01-01 UTC. Metadata only, never content.
public typealias StoreTime = Int64

extension Date {
    /// Milliseconds since 1970, as the store keeps times.
    public var storeTime: StoreTime { StoreTime((timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A store time as a date.
    public init(storeTime: StoreTime) {
        self.init(timeIntervalSince1970: TimeInterval(storeTime) / 1000)
    }
}
