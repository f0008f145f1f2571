import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// A use case over the shared ``RelayContext``. Each service is a small value (one reference), so
/// services reach each other by making one where they need it.
protocol RelayService: Sendable {
    /// The shared context.
    var context: RelayContext { get }
}

extension RelayService {
    var store: any RelayStore { context.store }
    var envelope: Envelope { context.envelope }
    var keyring: Keyring { context.envelope.keyring }
    var clock: any RelayClock { context.clock }
    var logger: Logger { context.logger }
    var settings: RelaySettings { context.settings }
    var events: LiveEvents { context.events }
    var walTruncation: WALTruncation { context.walTruncation }
    var hashing: HashingPool { context.hashing }
    var phraseHashing: HashingPool { context.phraseHashing }
    var loginGuard: LoginGuard { context.loginGuard }

    // The other services, for use cases that span two.
    var auditLog: AuditLog { AuditLog(context: context) }
    var erasure: ErasureService { ErasureService(context: context) }
    var outbox: OutboxService { OutboxService(context: context) }
    var caseRecords: CaseRecordService { CaseRecordService(context: context) }
    var intake: IntakeService { IntakeService(context: context) }
    var retention: RetentionService { RetentionService(context: context) }
    var sealing: Sealing { Sealing(context: context) }
    var bearerSessions: BearerSessions { BearerSessions(context: context) }

    /// The blind index of a contact address (a keyed hash: how the store finds a contact).
    func addressIndex(_ address: ContactAddress) -> [UInt8] {
        keyring.blindIndex(.contactAddress).index(address.indexInput)
    }

    /// The blind index of a channel delivery id (Twilio MessageSid, webchat idempotency key).
    func deliveryIndex(channel: ChannelKind, deliveryID: String) -> [UInt8] {
        keyring.blindIndex(.deliveryID).index("\(channel.rawValue):\(deliveryID)")
    }
}
