import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// The relay: its use cases as services over one shared context. The server and the CLI are thin
/// shells over these; the core knows no HTTP and no SQL, and keeps its store and keys to itself.
///
/// ```swift
/// let relay = Relay(store: store, keyring: keyring, logger: logger)
/// let receipt = try await relay.intake.ingest(InboundMessage(address: .phone("+14155550100"), body: "hi", deliveryID: sid))
/// ```
public struct Relay: RelayService {
    let context: RelayContext

    /// Creates the relay (the composition root's call: it opens the store and the keyring).
    public init(
        store: any RelayStore, keyring: Keyring, clock: any RelayClock = SystemClock(), settings: RelaySettings = RelaySettings(),
        events: LiveEvents = LiveEvents(), hashing: HashingPool = HashingPool(), phraseHashing: HashingPool = HashingPool(), logger: Logger
    ) {
        context = RelayContext(
            store: store, keyring: keyring, clock: clock, settings: settings, events: events, hashing: hashing, phraseHashing: phraseHashing,
            logger: logger)
    }

    /// The time source.
    public var clock: any RelayClock { context.clock }
    /// Channel rules.
    public var settings: RelaySettings { context.settings }
    /// Live fan-out to open streams.
    public var events: LiveEvents { context.events }
    /// Structured logs: ids and counts only.
    public var logger: Logger { context.logger }
    /// Truncates the WAL after deletions, retrying until it succeeds (the scheduler settles it at
    /// start; `/metrics` shows whether one is owed).
    public var walTruncation: WALTruncation { context.walTruncation }

    /// Survivors' messages coming in (SMS and webchat bodies, SMS keywords): stored durably, sealed, threaded, prioritised.
    public var intake: IntakeService { IntakeService(context: context) }
    /// The no-trace webchat: anonymous sessions, the survivor's own view of their conversation, deletion, resume phrases.
    public var webchat: WebchatService { WebchatService(context: context) }
    /// Staff accounts and their sessions: creation and reset from the command line, enrolment, login, bearer sessions, devices.
    public var staff: StaffService { StaffService(context: context) }
    /// Advocates' work on threads: the queue, claim, transfer, close, the audited thread view, replies, statistics.
    public var advocacy: AdvocacyService { AdvocacyService(context: context) }
    /// The advocate's case record of a contact: notes, referrals, safety flags, typology tags; sealed, audited.
    public var caseRecords: CaseRecordService { CaseRecordService(context: context) }
    /// Trend reports: aggregate counts by month, region and type with small cells suppressed; audited.
    public var trends: TrendService { TrendService(context: context) }
    /// The tamper-evident audit log: appending (in the caller's transaction or its own), checkpoints, verification, export, the compliance read.
    public var auditLog: AuditLog { AuditLog(context: context) }
    /// Retention policies and legal holds: plan, apply, status, holds.
    public var retention: RetentionService { RetentionService(context: context) }
    /// Crypto-shredding: a thread or a whole contact, never refused for audit reasons.
    public var erasure: ErasureService { ErasureService(context: context) }
    /// The durable SMS outbox: queueing replies, claims, outcomes, delivery status; a reply is never sent twice.
    public var outbox: OutboxService { OutboxService(context: context) }
    /// The keyring against the store: whether it opens it, rotation (rewrapping), retirement.
    public var keys: KeyService { KeyService(context: context) }
    /// Whether other relay instances share this one's store (PostgreSQL).
    public var isStoreShared: Bool { context.store.isShared }
    /// Live events across the instances that share a PostgreSQL store (nothing to do on SQLite).
    public var sharedEvents: SharedLiveEvents { SharedLiveEvents(context: context) }
    /// What running the relay needs: health, gauges, the store's close.
    public var operations: OperationsService { OperationsService(context: context) }
}

extension Relay: CustomStringConvertible, CustomDebugStringConvertible {
    /// A plain name: a relay's fields (keyring, settings) never belong in a log line.
    public var description: String { "Relay" }
    public var debugDescription: String { description }
}
