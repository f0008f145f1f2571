import Foundation
import Logging
import RelayCrypto
import RelayStore

/// What every use case shares: the store, the envelope over the keyring, the clock, settings, the
/// live fan-out and the bounded hashing pools. One per relay; the services are thin views of it.
final class RelayContext: Sendable {
    /// Where ciphertext and keyed hashes live.
    let store: any RelayStore
    /// Envelope encryption over the keyring.
    let envelope: Envelope
    /// The time source.
    let clock: any RelayClock
    /// Structured logs: ids and counts only.
    let logger: Logger
    /// Channel rules.
    let settings: RelaySettings
    /// Live fan-out to open streams.
    let events: LiveEvents
    /// Truncates the WAL after deletions, retrying until it succeeds.
    let walTruncation: WALTruncation
    /// Staff Argon2id work (logins, enrolments), off the cooperative pool and bounded.
    let hashing: HashingPool
    /// Survivors' Argon2id work (resume phrases), apart from the staff's.
    let phraseHashing: HashingPool
    /// Per-client, per-name login lockout (in memory).
    let loginGuard: LoginGuard
    /// The keyed hashing of the edges' admission limits (derived once).
    let admissionKeys: AdmissionKeys
    /// The last suppressed trend table, reused while the counters have not changed.
    let trendTables = TrendTableCache()

    init(
        store: any RelayStore, keyring: Keyring, clock: any RelayClock, settings: RelaySettings, events: LiveEvents,
        hashing: HashingPool, phraseHashing: HashingPool, logger: Logger
    ) {
        self.store = store
        self.envelope = Envelope(keyring: keyring)
        self.clock = clock
        self.settings = settings
        self.events = events
        self.logger = logger
        self.walTruncation = WALTruncation(store: store, logger: logger)
        self.hashing = hashing
        self.phraseHashing = phraseHashing
        let rateLimitKey = keyring.blindIndex(.rateLimit)
        self.admissionKeys = AdmissionKeys(key: rateLimitKey)
        self.loginGuard = LoginGuard(
            hashKey: rateLimitKey, threshold: settings.failuresBeforeLock, now: { [clock] in clock.now().timeIntervalSince1970 })
    }
}
