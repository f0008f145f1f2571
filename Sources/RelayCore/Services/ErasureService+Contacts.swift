import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// What erasing a contact did.
public struct ContactErasure: Sendable, Equatable {
    /// Threads whose content was destroyed.
    public var threadsErased: Int
    /// Messages destroyed.
    public var messagesDeleted: Int
    /// Threads kept because a legal hold defers the survivor's request. While any is kept, the
    /// contact (its case record included) is kept with it; its sessions and resume phrase end.
    public var threadsDeferred: Int = 0
    /// The audit log could not be written: the erasure went ahead and its audit events wait in the
    /// pending table until the log can take them.
    public var auditDeferred = false

    /// Whether a hold kept part of the conversation.
    public var isDeferred: Bool { threadsDeferred > 0 }
}

extension ErasureService {
    /// Crypto-shreds everything of a contact: every thread's key and messages, the contact's own key
    /// and sealed address, its case record, webchat sessions and resume phrase. A thread under a legal
    /// hold (when the policy defers survivor erasure) is kept, and so is the contact with its case
    /// record until the hold ends; its sessions and resume phrase end anyway.
    ///
    /// Never refused for audit reasons: when the audit log cannot be written, the erasure commits
    /// with its audit events recorded as pending (appended by ``auditLog.flushPending()``). Then the WAL
    /// is truncated (retried in the background until it succeeds).
    public func eraseContact(id contactID: String) async throws -> ContactErasure {
        let now = clock.now()
        let defers = settings.holdDefersSurvivorErase
        var (result, auditDeferred) = try await writeWithAuditFallback(at: now) { writer in
            try await Self.eraseContact(contactID, at: now, defers: defers, heldIndex: nil, writer: writer)
        }
        result.auditDeferred = auditDeferred
        await finishErasure(contactID: contactID, result)
        return result
    }

    /// Runs a write whose audit events must never stop it: first with the events appended to the log
    /// in the same transaction; if that fails, again with the events kept as pending.
    func writeWithAuditFallback<T: Sendable>(
        at now: Date, _ body: @escaping @Sendable (any StoreWriter) async throws -> (T, [AuditEvent])
    ) async throws -> (value: T, auditDeferred: Bool) {
        do {
            let value = try await store.write { writer in
                let (value, events) = try await body(writer)
                for event in events { _ = try await AuditLog.append(event, at: now, writer: writer) }
                return value
            }
            return (value, false)
        } catch {
            logger.error("audit log not writable; the erasure goes ahead and is audited later")
            let value = try await store.write { writer in
                let (value, events) = try await body(writer)
                for event in events { try await AuditLog.recordPending(event, at: now, writer: writer) }
                return value
            }
            return (value, true)
        }
    }

    /// The erasure itself, inside the caller's transaction; returns the audit events to record.
    ///
    /// A legal hold on any thread of the contact covers the whole contact. When the policy defers
    /// a survivor's erasure, nothing is destroyed, but the request is honoured as far as the hold
    /// allows: every thread is marked for erasure and closed (retention destroys them once the hold
    /// ends), the person becomes do-not-contact and queued replies are cancelled, their sessions and
    /// resume phrase end, and their address no longer finds the contact, so that nothing they send
    /// later is drawn into the hold.
    /// `heldIndex` is where a deferred contact's address index moves: a keyed hash derived from the
    /// address (``heldAddressIndex(_:)``) when it is known, so that a second erase request from the
    /// same number still finds the deferral and is told the same; random otherwise.
    static func eraseContact(
        _ contactID: String, at now: Date, defers: Bool, heldIndex: [UInt8]?, writer: any StoreWriter
    ) async throws -> (ContactErasure, [AuditEvent]) {
        var erasure = ContactErasure(threadsErased: 0, messagesDeleted: 0)
        var events: [AuditEvent] = []
        let threads = try await writer.threads(contactID: contactID).filter { $0.state != .erased }
        if defers, try await writer.isContactHeld(contactID: contactID), let contact = try await writer.contact(id: contactID) {
            for thread in threads {
                try await writer.markEraseRequested(threadID: thread.id, at: now.storeTime)
                try await writer.closeThread(id: thread.id, at: now.storeTime)
                erasure.threadsDeferred += 1
                events.append(AuditEvent(actor: "survivor", role: "survivor", action: "thread.erase", threadID: thread.id, outcome: "deferred_by_hold"))
            }
            var flags = contact.safety
            flags.doNotContact = true
            try await writer.setSafety(contactID: contactID, flags)
            try await writer.failQueuedOutbox(contactID: contactID, code: "erase_requested", at: now.storeTime)
            try await writer.deleteWebchatSessions(contactID: contactID)
            try await writer.deleteResumePhrase(contactID: contactID)
            try await writer.relinkAddress(contactID: contactID, to: Data(heldIndex ?? RandomToken.bytes(32)))
            return (erasure, events)
        }
        for thread in threads {
            erasure.messagesDeleted += try await writer.eraseThread(id: thread.id, at: now.storeTime) ?? 0
            erasure.threadsErased += 1
            events.append(AuditEvent(actor: "survivor", role: "survivor", action: "thread.erase", threadID: thread.id))
        }
        try await writer.deleteContact(id: contactID)
        return (erasure, events)
    }

    /// After an erasure commits: end live streams, truncate the WAL, and append audit events that had to wait.
    func finishErasure(contactID: String, _ result: ContactErasure) async {
        await events.publish(.erased, to: contactID)
        await walTruncation.truncate()
        if result.auditDeferred { _ = try? await auditLog.flushPending() }
        logger.debug("contact erased", metadata: ["threads.erased": "\(result.threadsErased)", "threads.deferred": "\(result.threadsDeferred)"])
    }

}
