import Foundation
import RelayCrypto

/// Locks out one client's guesses at one account name, in memory, without locking the account for
/// everybody else: a stranger who knows a name can lock out only themself.
///
/// Every attempt reserves its place before the password is checked, so guesses sent truly at once
/// count as fast as guesses sent one by one: after ``threshold`` failures (finished or still in
/// flight) from one client at one name, that client waits 1, 2, 4 … up to 60 minutes. Keys are
/// keyed hashes of client and name, forgotten an hour after their last failure; at most
/// ``maximumKeys`` are held, past which new ones share a single overflow key. The account's own,
/// stored failure count is the bounded global backstop (``RelaySettings/failuresBeforeAccountLock``).
public actor LoginGuard {
    private struct Entry {
        /// Failures since the last success or lock.
        var failures = 0
        /// Lock periods so far (each one doubles the next, up to an hour).
        var locks = 0
        var inFlight = 0
        var lockedUntil: TimeInterval = 0
        var lastFailure: TimeInterval = 0

        /// Guesses allowed before the next lock: `threshold` at first, one after each lock ends.
        func allowance(_ threshold: Int) -> Int { locks == 0 ? threshold : 1 }
    }

    /// An attempt that holds a place; hand it back with ``finish(_:outcome:)``.
    public struct Ticket: Sendable {
        fileprivate let key: [UInt8]
    }

    /// How an attempt ended.
    public enum Outcome: Sendable {
        /// Logged in: the pair's failures are cleared.
        case succeeded
        /// Wrong credentials: one failure.
        case failed
        /// Refused for another reason (a locked or disabled account, a busy server): not a guess.
        case notCounted
    }


    /// Failures from one client at one name before that client is locked out of it.
    public let threshold: Int
    /// Most (client, name) pairs tracked at once.
    public let maximumKeys: Int
    private let hashKey: BlindIndexKey
    private let now: @Sendable () -> TimeInterval
    private var entries: [[UInt8]: Entry] = [:]
    private var lastSweep: TimeInterval = 0
    private var dummyHash: String?
    private var overflowKey: [UInt8] { hashKey.index("login\u{0}\u{0}overflow") }

    /// Creates a guard whose keys are hashed with `hashKey`.
    public init(
        hashKey: BlindIndexKey, threshold: Int, maximumKeys: Int = 100_000,
        now: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.hashKey = hashKey
        self.threshold = max(1, threshold)
        self.maximumKeys = maximumKeys
        self.now = now
    }

    /// Reserves an attempt by `client` at `name`, or `nil` while that pair is locked out or has
    /// as many attempts in flight as it has guesses left.
    public func begin(client: String, name: String) -> Ticket? {
        let time = now()
        sweep(at: time)
        var key = hashKey.index("login\u{0}\(client)\u{0}\(name)")
        if entries[key] == nil, entries.count >= maximumKeys { key = overflowKey }
        var entry = entries[key] ?? Entry()
        guard entry.lockedUntil <= time, entry.failures + entry.inFlight < entry.allowance(threshold) else { return nil }
        entry.inFlight += 1
        entries[key] = entry
        return Ticket(key: key)
    }

    /// Ends an attempt: a success clears the pair's failures; a failure counts and may lock it.
    public func finish(_ ticket: Ticket, outcome: Outcome) {
        let time = now()
        guard var entry = entries[ticket.key] else { return }
        entry.inFlight = max(0, entry.inFlight - 1)
        switch outcome {
        case .succeeded:
            entries[ticket.key] = entry.inFlight == 0 ? nil : Entry(inFlight: entry.inFlight)
            return
        case .notCounted:
            entries[ticket.key] = entry.failures == 0 && entry.inFlight == 0 && entry.locks == 0 ? nil : entry
            return
        case .failed:
            break
        }
        entry.failures += 1
        entry.lastFailure = time
        if entry.failures >= entry.allowance(threshold) {
            entry.locks += 1
            entry.lockedUntil = time + TimeInterval(min(60, 1 << min(entry.locks - 1, 6)) * 60)
            entry.failures = 0
        }
        entries[ticket.key] = entry
    }

    /// A stored Argon2id hash of a random secret, made once: unknown names and accounts without a
    /// password are checked against it, so every login costs one verification.
    func dummyHash(pool: HashingPool, hasher: PasswordHasher) async throws -> String {
        if let dummyHash { return dummyHash }
        let made = try await pool.hash(RandomToken.bearer(), with: hasher)
        if dummyHash == nil { dummyHash = made }
        return dummyHash ?? made
    }

    /// Pairs tracked now (tests).
    public var trackedKeys: Int { entries.count }

    private func sweep(at time: TimeInterval) {
        guard time - lastSweep > 60 else { return }
        lastSweep = time
        entries = entries.filter { $0.value.inFlight > 0 || $0.value.lockedUntil > time || time - $0.value.lastFailure < 3600 }
    }
}
