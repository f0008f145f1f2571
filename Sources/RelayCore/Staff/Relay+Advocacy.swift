import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// A waiting conversation as the queue shows it: no content, no number.
public struct QueueItem: Sendable, Equatable {
    /// The thread.
    public var threadID: String
    /// The contact's pseudonym.
    public var pseudonym: String
    /// SMS or webchat.
    public var channel: ChannelKind
    /// Since when the survivor has been waiting for an answer (their last message).
    public var waitingSince: Date
    /// Higher is more urgent.
    public var priority: Int
    /// Who has claimed it, if anyone.
    public var assignedTo: String?
    /// Shown on the first page whatever its priority: its channel's longest-waiting contact.
    public var pinned = false
}

/// One message in an advocate's view.
public struct ThreadMessageView: Sendable, Equatable {
    /// The message.
    public var message: DecryptedMessage
    /// For an SMS reply, where it is in the outbox (`unknown` is shown as such).
    public var deliveryState: OutboxState?
}

/// The single pane: this thread, the same contact's earlier threads (as far as retention left
/// them), and who the contact is to advocates (a pseudonym).
public struct ThreadView: Sendable, Equatable {
    /// The thread's metadata.
    public var thread: ThreadInfo
    /// The contact's pseudonym.
    public var pseudonym: String
    /// This thread's messages.
    public var messages: [ThreadMessageView]
    /// Earlier threads of the same contact, oldest first, with their messages.
    public var earlier: [(thread: ThreadInfo, messages: [ThreadMessageView])]
    /// The contact's case record: notes, referrals, safety, tags.
    public var caseRecord: CaseRecord
    /// What the relay enforces for this contact (do-not-contact, texts needing an override).
    public var safety: ContactSafetyFlags = ContactSafetyFlags()

    public static func == (lhs: ThreadView, rhs: ThreadView) -> Bool {
        lhs.thread == rhs.thread && lhs.messages == rhs.messages && lhs.earlier.map(\.thread) == rhs.earlier.map(\.thread)
    }
}

/// Why an advocate action is not allowed.
public enum AccessError: Error, Equatable, CustomStringConvertible {
    /// The role may not do this.
    case forbidden
    /// No such thread (also answered when the caller may not know it exists).
    case notFound
    /// Opening a thread assigned to someone else (or to no one) needs a purpose.
    case purposeRequired
    /// The audit event could not be written, so nothing was decrypted.
    case auditUnavailable

    public var description: String {
        switch self {
        case .forbidden: "your role does not allow this"
        case .notFound: "no such thread"
        case .purposeRequired: "opening or claiming a thread not assigned to you needs a purpose from the list (X-Access-Purpose: CODE or CODE: note; GET /api/v1/purposes)"
        case .auditUnavailable: "the audit log cannot be written, so nothing is shown"
        }
    }
}

extension Relay {
    /// Roles that work threads.
    public static let workingRoles: Set<Role> = [.advocate, .supervisor]

    /// Words that raise a thread's priority when a survivor writes them (English and Spanish).
    public static let urgentWords: Set<String> = [
        "help", "urgent", "emergency", "danger", "dangerous", "hurt", "scared", "afraid", "911", "police", "now",
        "ayuda", "urgente", "emergencia", "peligro", "miedo", "auxilio", "socorro", "policía", "ya",
    ]

    /// The priority a message body implies: 1 when it carries an urgent word, else 0.
    static func priority(of body: [UInt8]) -> Int {
        let words = String(decoding: body, as: UTF8.self).lowercased().split { !$0.isLetter && !$0.isNumber }
        return words.contains { urgentWords.contains(String($0)) } ? 1 : 0
    }

    /// Claims a thread for the caller (a supervisor may also take one claimed by someone else).
    /// Taking a thread that is not already the caller's opens it to them, so it needs a purpose
    /// (``AccessPurposes``), audited with the claim and shown live to supervisors.
    public func claim(threadID: String, by identity: StaffIdentity, purpose: String?) async throws {
        guard Self.workingRoles.contains(identity.role) else { throw AccessError.forbidden }
        let now = clock.now()
        let parsed = settings.accessPurposes.parse(purpose)
        let claimed = try await store.write { writer -> Bool in
            guard let thread = try writer.thread(id: threadID), thread.state == .open else { throw AccessError.notFound }
            if let owner = thread.assignedTo, owner != identity.accountID, identity.role != .supervisor { throw AccessError.forbidden }
            guard thread.assignedTo != identity.accountID else { return false }
            guard let parsed else { throw AccessError.purposeRequired }
            try writer.assign(threadID: threadID, to: identity.accountID)
            _ = try Self.appendAudit(
                AuditEvent(actor: identity.name, role: identity.role.rawValue, action: "thread.claim", threadID: threadID, purpose: parsed.auditText),
                at: now, writer: writer)
            return true
        }
        guard claimed, let parsed else { return }
        await events.publish(.queueChanged(threadID: threadID), to: LiveEvents.staffChannel)
        await events.publish(.access(threadID: threadID, actor: identity.name, action: "claim", purpose: parsed.code), to: LiveEvents.staffChannel)
    }

    /// Hands a thread to another advocate or supervisor: the one working it or a supervisor may. A
    /// supervisor moving a thread that is not theirs opens it to someone (perhaps themself), so
    /// that needs a purpose too, audited and shown live to supervisors.
    public func transfer(threadID: String, to name: String, by identity: StaffIdentity, purpose: String? = nil) async throws {
        guard Self.workingRoles.contains(identity.role) else { throw AccessError.forbidden }
        let now = clock.now()
        let parsed = settings.accessPurposes.parse(purpose)
        let outside = try await store.write { writer -> Bool in
            guard let thread = try writer.thread(id: threadID), thread.state == .open else { throw AccessError.notFound }
            let outside = thread.assignedTo != identity.accountID
            if outside && identity.role != .supervisor { throw AccessError.forbidden }
            if outside && parsed == nil { throw AccessError.purposeRequired }
            guard let target = try writer.account(name: name), !target.disabled, Self.workingRoles.contains(target.role) else {
                throw RelayError.invalidInput("no active advocate or supervisor by that name")
            }
            try writer.assign(threadID: threadID, to: target.id)
            _ = try Self.appendAudit(
                AuditEvent(
                    actor: identity.name, role: identity.role.rawValue, action: "thread.transfer", threadID: threadID,
                    purpose: outside ? parsed?.auditText : nil, details: ["to": target.name]),
                at: now, writer: writer)
            return outside
        }
        await events.publish(.queueChanged(threadID: threadID), to: LiveEvents.staffChannel)
        if outside, let parsed {
            await events.publish(.access(threadID: threadID, actor: identity.name, action: "transfer", purpose: parsed.code), to: LiveEvents.staffChannel)
        }
    }

    /// Closes a thread the caller works (or any, for a supervisor).
    public func close(threadID: String, by identity: StaffIdentity) async throws {
        guard Self.workingRoles.contains(identity.role) else { throw AccessError.forbidden }
        let now = clock.now()
        try await store.write { writer in
            guard let thread = try writer.thread(id: threadID), thread.state == .open else { throw AccessError.notFound }
            if thread.assignedTo != identity.accountID && identity.role != .supervisor { throw AccessError.forbidden }
            try writer.closeThread(id: threadID, at: now.storeTime)
            _ = try Self.appendAudit(AuditEvent(actor: identity.name, role: identity.role.rawValue, action: "thread.close", threadID: threadID), at: now, writer: writer)
        }
        await events.publish(.queueChanged(threadID: threadID), to: LiveEvents.staffChannel)
    }

    /// Opens a thread for an advocate. The audit event is written durably first; if it cannot be,
    /// nothing is decrypted (`AccessError.auditUnavailable`). A thread not assigned to the caller
    /// needs a purpose from the hotline's list (``AccessPurposes``), which the audit event records
    /// and supervisors see live.
    public func viewThread(threadID: String, by identity: StaffIdentity, purpose: String?) async throws -> ThreadView {
        guard Self.workingRoles.contains(identity.role) else { throw AccessError.forbidden }
        guard let thread = try await store.read({ try $0.thread(id: threadID) }) else { throw AccessError.notFound }
        let outside = thread.assignedTo != identity.accountID
        let parsed = settings.accessPurposes.parse(purpose)
        if outside && parsed == nil { throw AccessError.purposeRequired }
        let reason = outside ? parsed?.auditText : nil
        // Every thread that will be shown (this one and the contact's earlier ones) gets its own
        // view event, all committed in one transaction before anything is decrypted.
        let shown = try await store.read { reader in
            try thread.contactID.map { try reader.threads(contactID: $0) }?.filter { $0.key != nil && $0.openedAt <= thread.openedAt }.map(\.id) ?? [thread.id]
        }
        do {
            try await audit(batch: ([threadID] + shown.filter { $0 != threadID }).map { id in
                AuditEvent(
                    actor: identity.name, role: identity.role.rawValue, action: "thread.view", threadID: id, purpose: reason,
                    details: id == threadID ? [:] : ["via": threadID])
            })
        } catch {
            logger.error("audit write failed; thread not shown", metadata: ["thread.id": "\(threadID)"])
            throw AccessError.auditUnavailable
        }
        if outside, let parsed {
            await events.publish(.access(threadID: threadID, actor: identity.name, action: "view", purpose: parsed.code), to: LiveEvents.staffChannel)
        }
        // Only now is anything decrypted, and only the threads just audited.
        let relay = self
        let (contact, threads, caseRecord) = try await store.read { reader in
            (
                try thread.contactID.flatMap { try reader.contact(id: $0) }, try thread.contactID.map { try reader.threads(contactID: $0) } ?? [thread],
                try thread.contactID.map { try relay.caseRecord(contactID: $0, reader: reader) } ?? CaseRecord()
            )
        }
        var earlier: [(ThreadInfo, [ThreadMessageView])] = []
        var current: [ThreadMessageView] = []
        for other in threads where shown.contains(other.id) {
            let messages = try await decryptedMessages(threadID: other.id)
            var views: [ThreadMessageView] = []
            for message in messages {
                let state = message.direction == .outbound ? try await outboxState(messageID: message.id) : nil
                views.append(ThreadMessageView(message: message, deliveryState: state))
            }
            if other.id == thread.id { current = views } else { earlier.append((ThreadInfo(other), views)) }
        }
        return ThreadView(
            thread: ThreadInfo(thread), pseudonym: contact?.pseudonym ?? "—", messages: current, earlier: earlier, caseRecord: caseRecord,
            safety: contact?.safety ?? ContactSafetyFlags())
    }

    /// Sends a reply as an advocate, audited with it; refusals (window, do-not-contact, opt-out) are
    /// audited too and thrown as `ReplyRefusal`.
    public func reply(threadID: String, text: String, by identity: StaffIdentity, override: String? = nil) async throws -> ReplyReceipt {
        guard Self.workingRoles.contains(identity.role) else { throw AccessError.forbidden }
        guard let thread = try await store.read({ try $0.thread(id: threadID) }) else { throw AccessError.notFound }
        if thread.assignedTo != identity.accountID && identity.role != .supervisor { throw AccessError.forbidden }
        do {
            return try await queueReply(threadID: threadID, text: text, by: identity, override: override)
        } catch let refusal as ReplyRefusal {
            _ = try? await audit(AuditEvent(actor: identity.name, role: identity.role.rawValue, action: "reply.send", threadID: threadID, outcome: "refused_\(refusal.rawValue)"))
            throw refusal
        }
    }

    /// A page of audit events for compliance and admin: each its canonical JSON line, oldest
    /// first, after position `after` (`nil`: from the start), filtered by actor and thread. At most
    /// `limit` events, and at most ``auditScanBudget`` rows looked at: `next` is where the following
    /// page starts (`nil` at the end), so a filter that matches rarely pages instead of scanning all.
    public func auditEvents(
        by identity: StaffIdentity, since: Date, until: Date, actor: String?, threadID: String?, after: Int64? = nil, limit: Int = 100
    ) async throws -> AuditPage {
        guard identity.role == .compliance || identity.role == .admin else { throw AccessError.forbidden }
        let limit = max(1, min(limit, Self.maximumAuditPage))
        let start = after ?? -1
        let rows = try await store.read { try $0.audit(since: since.storeTime, until: until.storeTime, afterSeq: start, limit: Self.auditScanBudget) }
        var page = AuditPage(events: [], next: nil)
        for row in rows {
            if let line = row.line, actor.map({ line.contains(#""actor":"\#($0)""#) }) ?? true,
                threadID.map({ line.contains(#""thread":"\#($0)""#) }) ?? true
            {
                page.events.append(AuditPage.Event(seq: row.seq, line: line))
                if page.events.count == limit {
                    page.next = row == rows.last ? (rows.count == Self.auditScanBudget ? row.seq : nil) : row.seq
                    return page
                }
            }
        }
        page.next = rows.count == Self.auditScanBudget ? rows.last?.seq : nil
        return page
    }

    /// Most events in one audit page.
    public static let maximumAuditPage = 1_000
    /// Most rows one audit page reads.
    public static let auditScanBudget = 5_000
}

/// A page of the audit log.
public struct AuditPage: Sendable, Equatable {
    /// One event: its position and canonical JSON line.
    public struct Event: Sendable, Equatable {
        /// Position in the log.
        public var seq: Int64
        /// The canonical JSON object.
        public var line: String
    }

    /// The events, oldest first.
    public var events: [Event]
    /// Pass as `after` for the next page; `nil` at the end.
    public var next: Int64?
}
