import Foundation
import Logging
import RelayModel
import RelayStore

/// What `retention apply` did.
public struct RetentionReceipt: Sendable, Equatable {
    /// The counts actually carried out.
    public var counts: RetentionPlan.Counts
    /// Contacts with no content left (every thread erased, none held, no live session), deleted with
    /// their key, sealed address, case record and resume phrase.
    public var contactsDeleted: Int
    /// Expired webchat and staff sessions deleted.
    public var sessionsDeleted: Int = 0
    /// Handled-delivery records (keyword de-duplication) forgotten.
    public var deliveriesForgotten: Int = 0
    /// Audit lines pruned after the audit lifetime.
    public var auditLinesPruned: Int
    /// Batches committed.
    public var batches: Int
}

extension RetentionService {
    /// The maintenance marker a purge leaves until the WAL has been truncated after it.
    static let truncationOwed = "wal-truncation-owed"

    /// If a purge (in this process or another, such as the CLI) left a truncation owed, truncates and
    /// clears the marker. Returns whether nothing is owed any more. The server calls it every few seconds.
    @discardableResult
    public func settleOwedTruncation() async throws -> Bool {
        guard try await store.read({ try await $0.isMaintenanceDone(Self.truncationOwed) }) else { return true }
        guard await walTruncation.truncate() else { return false }
        try await store.write { try await $0.clearMaintenance(Self.truncationOwed) }
        return true
    }

    /// How long a handled keyword delivery is remembered so that a provider's retry does nothing:
    /// Twilio retries a failed webhook within minutes, so two days is ample.
    public static let handledDeliveryLifetime: TimeInterval = 2 * 86_400

    /// Executes a policy: plans, then carries the plan out in batches of `batchSize` threads. Each
    /// batch is one transaction that also appends its own audit receipt, so a killed run leaves
    /// every thread either untouched or fully purged, and running again finishes the job. Ends by
    /// truncating the WAL, appending a summary receipt and writing a signed checkpoint.
    public func apply(
        policy: RetentionPolicy, asOf now: Date, actor: String, batchSize: Int = 500,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> RetentionReceipt {
        let plan = try await RetentionPlanner.plan(store: store, policy: policy, asOf: now)
        let work = plan.entries.filter {
            switch $0.action {
            case .keep, .held: false
            default: true
            }
        }
        var done = RetentionPlan.Counts()
        var batches = 0
        var contactsForgotten = 0
        let time = now.storeTime
        let clockNow = clock.now()
        do {
            for start in stride(from: 0, to: work.count, by: max(1, batchSize)) {
                try Task.checkCancellation()
                let batch = Array(work[start..<min(start + batchSize, work.count)])
                var close: [PlannedClose] = []
                var purge: [String] = []
                var deleteMetadata: [String] = []
                for entry in batch {
                    let planned = PlannedClose(threadID: entry.threadID, lastActivityAt: entry.lastActivityAt)
                    switch entry.action {
                    case .close: close.append(planned)
                    case .closeAndPurge:
                        close.append(planned)
                        purge.append(entry.threadID)
                    case .purge: purge.append(entry.threadID)
                    case .deleteMetadata: deleteMetadata.append(entry.threadID)
                    case .keep, .held: continue
                    }
                }
                let keepDoNotContact = policy.keepDoNotContact
                let (counts, forgotten) = try await store.write { [close, purge, deleteMetadata] writer -> (RetentionPlan.Counts, Int) in
                    // Set-based and hold-aware inside the transaction: a hold placed since planning wins.
                    let result = try await writer.applyRetentionBatch(close: close, purge: purge, deleteMetadata: deleteMetadata, at: time)
                    // The person goes in the same transaction as their last content: a message arriving
                    // right after finds no contact, case record or pseudonym to attach to.
                    let forgotten = try await writer.deleteContactsWithoutContent(ofThreads: purge, keepDoNotContact: keepDoNotContact, at: time)
                    // Durable, for whichever process runs next: deleted bytes may be in the WAL until a truncation.
                    if result.purgedThreads > 0 || forgotten > 0 { try await writer.markMaintenanceDone(Self.truncationOwed, at: time) }
                    var counts = RetentionPlan.Counts()
                    counts.threadsToClose = result.closed
                    counts.threadsToPurge = result.purgedThreads
                    counts.messagesToPurge = result.purgedMessages
                    counts.metadataToDelete = result.metadataDeleted
                    _ = try await AuditLog.append(
                        AuditEvent(
                            actor: actor, role: "compliance", action: "retention.batch",
                            details: [
                                "policy_sha256": policy.sha256, "threads_closed": "\(counts.threadsToClose)",
                                "threads_purged": "\(counts.threadsToPurge)", "messages_purged": "\(counts.messagesToPurge)",
                                "metadata_deleted": "\(counts.metadataToDelete)", "as_of": now.rfc3339,
                            ]),
                        at: clockNow, writer: writer)
                    return (counts, forgotten)
                }
                contactsForgotten += forgotten
                done.threadsToClose += counts.threadsToClose
                done.threadsToPurge += counts.threadsToPurge
                done.messagesToPurge += counts.messagesToPurge
                done.metadataToDelete += counts.metadataToDelete
                batches += 1
                progress?(min(start + batchSize, work.count), work.count)
            }
        } catch {
            // Batches committed before the failure may have purged: their bytes must not stay in the WAL.
            await walTruncation.truncate()
            throw error
        }
        let auditCutoff = time - StoreTime(policy.audit * 1000)
        let settings = self.settings
        let keepDoNotContact = policy.keepDoNotContact
        // Everything personal about a contact goes with its content: sessions first (a live one keeps
        // its contact), then contacts with nothing left, whose case record and phrase go with them.
        let (others, sessions, deliveries, pruned) = try await store.write { writer in
            let sessions = try await writer.deleteExpiredSessions(
                webchatSeenBefore: time - StoreTime(settings.webchatSessionIdle * 1000),
                staffSeenBefore: time - StoreTime(settings.staffSessionIdle * 1000),
                staffCreatedBefore: time - StoreTime(settings.staffSessionAbsolute * 1000))
            let contacts = try await writer.deleteContactsWithoutContent(
                idleBefore: time - StoreTime(settings.webchatSessionIdle * 1000), keepDoNotContact: keepDoNotContact, at: time)
            let deliveries = try await writer.pruneHandledDeliveries(before: time - StoreTime(Self.handledDeliveryLifetime * 1000))
            return (contacts, sessions, deliveries, try await writer.pruneAuditLines(before: auditCutoff))
        }
        let contacts = contactsForgotten + others
        await walTruncation.truncate()
        done.threadsKept = plan.counts.threadsKept
        done.messagesKept = plan.counts.messagesKept
        done.threadsHeld = plan.counts.threadsHeld
        done.messagesHeld = plan.counts.messagesHeld
        try await auditLog.record(AuditEvent(
            actor: actor, role: "compliance", action: "retention.apply",
            details: [
                "policy": policy.name, "policy_sha256": policy.sha256, "as_of": now.rfc3339,
                "threads_closed": "\(done.threadsToClose)", "threads_purged": "\(done.threadsToPurge)",
                "messages_purged": "\(done.messagesToPurge)", "metadata_deleted": "\(done.metadataToDelete)",
                "contacts_deleted": "\(contacts)", "sessions_deleted": "\(sessions)", "deliveries_forgotten": "\(deliveries)",
                "audit_lines_pruned": "\(pruned)", "threads_held": "\(done.threadsHeld)",
            ]))
        try await auditLog.writeCheckpoint()
        logger.info("retention applied", metadata: ["threads.purged": "\(done.threadsToPurge)", "messages.purged": "\(done.messagesToPurge)"])
        return RetentionReceipt(
            counts: done, contactsDeleted: contacts, sessionsDeleted: sessions, deliveriesForgotten: deliveries, auditLinesPruned: pruned,
            batches: batches)
    }

    // MARK: - Legal holds

    /// Places a legal hold on a thread (audited in the same transaction).
    public func addHold(threadID: String, reason: String, actor: String) async throws {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw RelayError.invalidInput("a hold needs a reason of 1 to 200 characters") }
        let now = clock.now()
        try await store.write { writer in
            guard try await writer.thread(id: threadID) != nil else { throw RelayError.threadNotFound }
            try await writer.insert(HoldRecord(threadID: threadID, reason: trimmed, createdBy: actor, createdAt: now.storeTime))
            _ = try await AuditLog.append(
                AuditEvent(actor: actor, role: "compliance", action: "hold.add", threadID: threadID, purpose: trimmed), at: now, writer: writer)
        }
    }

    /// Releases a legal hold (audited in the same transaction).
    public func releaseHold(threadID: String, actor: String) async throws {
        let now = clock.now()
        try await store.write { writer in
            guard try await writer.deleteHold(threadID: threadID) else { throw RelayError.threadNotFound }
            _ = try await AuditLog.append(AuditEvent(actor: actor, role: "compliance", action: "hold.release", threadID: threadID), at: now, writer: writer)
        }
    }

    /// Every standing hold.
    public func holds() async throws -> [LegalHold] {
        try await store.read { try await $0.holds() }.map(LegalHold.init)
    }
}
