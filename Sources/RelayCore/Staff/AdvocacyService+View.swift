import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// What a thread view shows, as stored: the metadata read before the audit commit, the sealed
/// content read (in one snapshot) after it.
struct ThreadSnapshot: Sendable {
    /// The thread asked for.
    var thread: ThreadRecord
    /// Its contact, while it exists.
    var contact: ContactRecord?
    /// The threads shown, oldest first: this one and the contact's earlier ones with content.
    var shown: [ThreadRecord]
    /// For webchat, whether the survivor has a session open (the reply window), read with the rest.
    var webchatSessionOpen = false
}

/// The sealed content of the threads a view shows, read in one snapshot after the audit commit.
struct SealedThreadContent: Sendable {
    /// Each shown thread's messages, by thread id.
    var messages: [String: [MessageRecord]]
    /// Each reply's place in the outbox, by message id.
    var delivery: [String: OutboxState]
    /// The contact's sealed case record, if any.
    var sealedCaseRecord: Data?
    /// Shown threads erased between the audit commit and this read.
    var erased: Set<String> = []
}

extension AdvocacyService {
    /// Opens a thread for an advocate in two steps: one write transaction that reads the metadata
    /// (which threads, whose, assigned to whom), checks access and appends the audit events (one per
    /// thread shown: this one and the contact's earlier ones) — committed durably, or nothing is
    /// shown (`AccessError.auditUnavailable`); then one snapshot read of the sealed content and
    /// decryption in memory. No ciphertext is even read before the audit events are durable.
    /// A thread not assigned to the caller needs a purpose from the hotline's list
    /// (``AccessPurposes``), which the audit events record and supervisors see live.
    public func viewThread(threadID: String, by identity: StaffIdentity, purpose: String?) async throws -> ThreadView {
        try AccessPolicy.requireWorkingRole(identity)
        let parsed = settings.accessPurposes.parse(purpose)
        let now = clock.now()
        let gate = ReplyGate(settings: settings)
        let snapshot: ThreadSnapshot
        do {
            snapshot = try await store.write { writer in
                guard var snapshot = try await Self.snapshot(threadID: threadID, reader: writer) else { throw AccessError.notFound }
                let reason = try AccessPolicy.purpose(parsed, toOpen: snapshot.thread, identity)?.auditText
                let shownIDs = snapshot.shown.map(\.id)
                _ = try await AuditLog.append(
                    batch: ([threadID] + shownIDs.filter { $0 != threadID }).map { id in
                        AuditEvent(
                            actor: identity.name, role: identity.role.rawValue, action: "thread.view", threadID: id, purpose: reason,
                            details: id == threadID ? [:] : ["via": threadID])
                    }, at: now, storeTime: now.storeTime, writer: writer)
                snapshot.webchatSessionOpen = try await gate.webchatSessionOpen(for: snapshot.thread, at: now.storeTime, reader: writer)
                return snapshot
            }
        } catch let refusal as AccessError {
            throw refusal
        } catch {
            logger.error("audit write failed; thread not shown", metadata: ["thread.id": "\(threadID)"])
            throw AccessError.auditUnavailable
        }
        let thread = snapshot.thread
        if AccessPolicy.isOutsideAssignment(thread, identity), let parsed {
            await events.publish(.access(threadID: threadID, actor: identity.name, action: "view", purpose: parsed.code), to: LiveEvents.staffChannel)
        }
        // Only now is any ciphertext read (of the threads just audited, in one snapshot) and decrypted, in memory.
        let shownThreads = snapshot.shown
        let contact = snapshot.contact
        let content = try await store.read { try await Self.sealedContent(of: shownThreads, contact: contact, reader: $0) }
        if content.erased.contains(thread.id) { throw RelayError.threadErased }
        var earlier: [(ThreadInfo, [ThreadMessageView])] = []
        var current: [ThreadMessageView] = []
        for shown in snapshot.shown where !content.erased.contains(shown.id) {
            let views = try sealing.open(content.messages[shown.id] ?? [], of: shown).map { message in
                ThreadMessageView(message: message, deliveryState: message.direction == .outbound ? content.delivery[message.id] : nil)
            }
            if shown.id == thread.id { current = views } else { earlier.append((ThreadInfo(shown), views)) }
        }
        let caseRecord = try snapshot.contact.map { try caseRecords.open(content.sealedCaseRecord, of: $0) } ?? CaseRecord()
        var view = ThreadView(
            thread: ThreadInfo(thread), pseudonym: snapshot.contact?.pseudonym ?? "—", messages: current, earlier: earlier,
            caseRecord: caseRecord, safety: snapshot.contact?.safety ?? ContactSafetyFlags())
        view.optedOut = snapshot.contact?.optedOut ?? false
        view.eraseRequested = thread.eraseRequestedAt != nil
        // What sending would answer now (the same rule the outbox applies); an override for a
        // monitored phone is the advocate's to give, so it is `safety.textNeedsOverride`, not a refusal.
        view.replyRefusal = gate.refusal(
            thread: thread, contact: snapshot.contact, webchatSessionOpen: snapshot.webchatSessionOpen, at: now.storeTime, hasOverride: true)
        view.replyWindowClosesAt = gate.smsWindowCloses(thread, contact: snapshot.contact).map { Date(storeTime: $0) }
        view.blockedUntil = snapshot.contact?.blockedUntil.flatMap { $0 > now.storeTime ? Date(storeTime: $0) : nil }
        return view
    }

    /// Reads which threads a view of `threadID` shows and whose they are (no ciphertext); `nil` when
    /// there is no such thread.
    static func snapshot(threadID: String, reader: any StoreReader) async throws -> ThreadSnapshot? {
        guard let thread = try await reader.thread(id: threadID) else { return nil }
        let contact = if let contactID = thread.contactID { try await reader.contact(id: contactID) } else { ContactRecord?.none }
        let threads = if let contactID = thread.contactID { try await reader.threads(contactID: contactID) } else { [thread] }
        return ThreadSnapshot(thread: thread, contact: contact, shown: threads.filter { $0.key != nil && $0.openedAt <= thread.openedAt })
    }

    /// Reads the sealed content of the threads shown: their messages, every reply's delivery state
    /// (one query) and the contact's case record, in the caller's snapshot.
    static func sealedContent(of shown: [ThreadRecord], contact: ContactRecord?, reader: any StoreReader) async throws -> SealedThreadContent {
        var messages: [String: [MessageRecord]] = [:]
        var erased: Set<String> = []
        for shownThread in shown {
            // Erased since the audit commit (its key and messages went together): shown as erased, not empty.
            guard try await reader.thread(id: shownThread.id)?.key != nil else {
                erased.insert(shownThread.id)
                continue
            }
            messages[shownThread.id] = try await reader.messages(threadID: shownThread.id)
        }
        let outbound = messages.values.joined().filter { $0.direction == .outbound }.map(\.id)
        let delivery = outbound.isEmpty ? [:] : try await reader.outboxStates(messageIDs: outbound)
        let sealedCaseRecord = if let contact { try await reader.sealedCaseRecord(contactID: contact.id) } else { Data?.none }
        return SealedThreadContent(messages: messages, delivery: delivery, sealedCaseRecord: sealedCaseRecord, erased: erased)
    }
}
