import Synchronization

/// What this instance published, waiting to be broadcast to the others: appended without waiting
/// (a publisher never blocks on the database), taken in batches by ``SharedLiveEvents``. Holds at
/// most ``capacity`` entries; beyond that the oldest go (a listener that misses one reads the
/// history, as after a reconnect).
final class LiveEventOutbox: Sendable {
    /// One thing to tell the other instances.
    enum Entry: Sendable, Equatable {
        case event(LiveEvent, channel: String)
        case sessionEnded(String)
    }

    static let capacity = 10_000
    private let pending = Mutex<[Entry]>([])
    private let wake: AsyncStream<Void>.Continuation
    /// Signals that entries are waiting.
    let wakeups: AsyncStream<Void>

    init() {
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds an entry and wakes the sender.
    func append(_ entry: Entry) {
        pending.withLock { entries in
            if entries.count >= Self.capacity { entries.removeFirst(entries.count - Self.capacity + 1) }
            entries.append(entry)
        }
        wake.yield()
    }

    /// Takes every waiting entry.
    func takeAll() -> [Entry] {
        pending.withLock { entries in
            defer { entries = [] }
            return entries
        }
    }

    /// Ends the wake-ups.
    func finish() {
        wake.finish()
    }
}
