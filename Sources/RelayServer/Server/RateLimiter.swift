import Foundation
import RelayCore

/// In-memory token buckets keyed by keyed hashes (never by an address or token), forgotten after
/// ten idle minutes. Nothing here is stored or logged (invariant 5).
public actor RateLimiter {
    private struct State {
        var tokens: Double
        var updated: TimeInterval
    }

    private let hashKey: AdmissionKeys
    private var buckets: [[UInt8]: State] = [:]
    private var lastSweep: TimeInterval = 0
    private let now: @Sendable () -> TimeInterval

    /// Creates a limiter whose keys are hashed with `hashKey`.
    public init(
        hashKey: AdmissionKeys, maximumUnauthenticated: Int = RateLimiter.maximumUnauthenticatedBuckets,
        now: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.hashKey = hashKey
        self.unauthenticatedCap = maximumUnauthenticated
        self.now = now
    }

    /// Most buckets of unauthenticated identities (client addresses) held at once: past this, new
    /// ones share one overflow bucket, so that a flood from countless addresses cannot grow memory
    /// without bound. Identities that something already vouches for (a signed SMS sender, a live
    /// session) are never put in the overflow: a flood of strangers must not silence them.
    public static let maximumUnauthenticatedBuckets = 200_000

    private var unauthenticated = 0
    private let unauthenticatedCap: Int

    /// Takes one token from the bucket of `scope` + `identity`; false when it is empty.
    /// `authenticated: false` marks an identity nobody vouches for (a client address).
    public func allow(scope: String, identity: String, bucket: RateLimits.Bucket, authenticated: Bool = true) -> Bool {
        var key = hashKey.hash("\(scope)\u{0}\(identity)")
        let time = now()
        sweep(at: time)
        if !authenticated && buckets[key] == nil {
            if unauthenticated >= unauthenticatedCap { sweep(at: time, force: true) }
            if unauthenticated >= unauthenticatedCap {
                key = hashKey.hash("\(scope)\u{0}\u{0}overflow")
            } else {
                unauthenticated += 1
                strangers.insert(key)
            }
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

    private var strangers: Set<[UInt8]> = []

    private func sweep(at time: TimeInterval, force: Bool = false) {
        guard force || time - lastSweep > 60 else { return }
        lastSweep = time
        buckets = buckets.filter { time - $0.value.updated < 600 }
        strangers = strangers.filter { buckets[$0] != nil }
        unauthenticated = strangers.count
    }
}
