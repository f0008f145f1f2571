import Foundation
import RelayCrypto

/// In-memory token buckets keyed by keyed hashes (never by an address or token), forgotten after
/// ten idle minutes. Nothing here is stored or logged (invariant 5).
public actor RateLimiter {
    private struct State {
        var tokens: Double
        var updated: TimeInterval
    }

    private let hashKey: BlindIndexKey
    private var buckets: [[UInt8]: State] = [:]
    private var lastSweep: TimeInterval = 0
    private let now: @Sendable () -> TimeInterval

    /// Creates a limiter whose keys are hashed with `hashKey`.
    public init(hashKey: BlindIndexKey, now: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }) {
        self.hashKey = hashKey
        self.now = now
    }

    /// Most buckets held at once: past this, new identities share one overflow bucket per scope, so
    /// that a flood from countless addresses cannot grow memory without bound.
    public static let maximumBuckets = 200_000

    /// Takes one token from the bucket of `scope` + `identity`; false when it is empty.
    public func allow(scope: String, identity: String, bucket: RateLimits.Bucket) -> Bool {
        var key = hashKey.index("\(scope)\u{0}\(identity)")
        let time = now()
        sweep(at: time)
        if buckets[key] == nil && buckets.count >= Self.maximumBuckets {
            sweep(at: time, force: true)
            if buckets.count >= Self.maximumBuckets { key = hashKey.index("\(scope)\u{0}\u{0}overflow") }
        }
        var state = buckets[key] ?? State(tokens: bucket.burst, updated: time)
        state.tokens = min(bucket.burst, state.tokens + (time - state.updated) * bucket.perSecond)
        state.updated = time
        let allowed = state.tokens >= 1
        if allowed { state.tokens -= 1 }
        buckets[key] = state
        return allowed
    }

    /// How many buckets are held (for tests and metrics).
    public var trackedKeys: Int { buckets.count }

    private func sweep(at time: TimeInterval, force: Bool = false) {
        guard force || time - lastSweep > 60 else { return }
        lastSweep = time
        buckets = buckets.filter { time - $0.value.updated < 600 }
    }
}
