import Foundation

/// Where a queue page ends: the last thread's sort key, to continue after it.
public struct QueueCursor: Sendable, Equatable {
    /// Its priority.
    public var priority: Int
    /// Since when its survivor waits.
    public var waitingSince: StoreTime
    /// Its id (the tie-breaker).
    public var threadID: String

    /// Creates a cursor.
    public init(priority: Int, waitingSince: StoreTime, threadID: String) {
        self.priority = priority
        self.waitingSince = waitingSince
        self.threadID = threadID
    }
}
