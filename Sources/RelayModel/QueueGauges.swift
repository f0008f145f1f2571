import Foundation

/// The queue's size in three numbers (no thread, no id).
public struct QueueGauges: Sendable, Equatable {
    /// Open threads.
    public var open: Int
    /// Open threads no advocate has answered yet.
    public var waiting: Int
    /// When the longest-waiting of those opened, if any.
    public var oldestWaitingOpenedAt: StoreTime?

    /// Creates the gauges.
    public init(open: Int, waiting: Int, oldestWaitingOpenedAt: StoreTime?) {
        self.open = open
        self.waiting = waiting
        self.oldestWaitingOpenedAt = oldestWaitingOpenedAt
    }
}
