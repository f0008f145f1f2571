import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// The relay's use cases in one place: ingest, read, erase and key rotation. The server and the
/// CLI are thin shells over this; it knows no HTTP and no SQL.
///
/// ```swift
/// let relay = Relay(store: store, keyring: keyring, logger: logger)
/// let receipt = try await relay.ingest(InboundMessage(address: .phone("+14155550100"), body: "hi", deliveryID: sid))
/// ```
public struct Relay: Sendable {
    /// Where ciphertext and keyed hashes live (not reachable from the edges: they go through the
    /// use cases).
    let store: any RelayStore
    /// Envelope encryption over the keyring.
    let envelope: Envelope
    /// The time source.
    public let clock: any RelayClock
    /// Structured logs: ids and counts only.
    public let logger: Logger
    /// Channel rules.
    public let settings: RelaySettings
    /// Live fan-out to open webchat streams.
    public let events: LiveEvents
    /// Truncates the WAL after deletions, retrying until it succeeds.
    public let walTruncation: WALTruncation
    /// Staff Argon2id work (logins, enrolments), off the cooperative pool and bounded.
    public let hashing: HashingPool
    /// Survivors' Argon2id work (resume phrases), apart, so that a flood of phrases cannot starve
    /// staff logins (nor the reverse).
    public let phraseHashing: HashingPool
    /// Per-client, per-name login lockout (in memory).
    public let loginGuard: LoginGuard

    /// The keyring in use.
    var keyring: Keyring { envelope.keyring }

    /// Creates the relay.
    public init(
        store: any RelayStore, keyring: Keyring, clock: any RelayClock = SystemClock(), settings: RelaySettings = RelaySettings(),
        events: LiveEvents = LiveEvents(), hashing: HashingPool = HashingPool(), phraseHashing: HashingPool = HashingPool(), logger: Logger
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
        self.loginGuard = LoginGuard(
            hashKey: keyring.blindIndex(.rateLimit), threshold: settings.failuresBeforeLock, now: { [clock] in clock.now().timeIntervalSince1970 })
    }

    /// The blind index of a contact address (a keyed hash: how the store finds a contact).
    func addressIndex(_ address: ContactAddress) -> [UInt8] {
        keyring.blindIndex(.contactAddress).index(address.indexInput)
    }

    /// The blind index of a channel delivery id (Twilio MessageSid, webchat idempotency key).
    func deliveryIndex(channel: ChannelKind, deliveryID: String) -> [UInt8] {
        keyring.blindIndex(.deliveryID).index("\(channel.rawValue):\(deliveryID)")
    }
}

extension Relay: CustomStringConvertible, CustomDebugStringConvertible {
    /// A plain name: a relay's fields (keyring, settings) never belong in a log line.
    public var description: String { "Relay" }
    public var debugDescription: String { description }
}
