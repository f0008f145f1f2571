import Foundation
import Logging
import RelayCrypto
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
    public var thread: ThreadRecord
    /// The contact's pseudonym.
    public var pseudonym: String
    /// This thread's messages.
    public var messages: [ThreadMessageView]
    /// Earlier threads of the same contact, oldest first, with their messages.
    public var earlier: [(thread: ThreadRecord, messages: [ThreadMessageView])]
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
        case .purposeRequired: "opening a thread not assigned to you needs a purpose (X-Access-Purpose)"
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
    public func claim(threadID: String, by identity: StaffIdentity) async throws {
        guard Self.workingRoles.contains(identity.role) else { throw AccessError.forbidden }
        let now = clock.now()
        try await store.write { writer in
            guard let thread = try writer.thread(id: threadID), thread.state == .open else { throw AccessError.notFound }
            if let owner = thread.assignedTo, owner != identity.accountID, identity.role != .supervisor { throw AccessError.forbidden }
            try writer.assign(threadID: threadID, to: identity.accountID)
            _ = try Self.appendAudit(AuditEvent(actor: identity.name, role: identity.role.rawValue, action: "thread.claim", threadID: threadID), at: now, writer: writer)
        }
        await events.publish(.queueChanged(threadID: threadID), to: LiveEvents.staffChannel)
    }

    /// Hands a thread to another advocate or supervisor: the one working it or a supervisor may.
    public func transfer(threadID: String, to name: String, by identity: StaffIdentity) async throws {
        guard Self.workingRoles.contains(identity.role) else { throw AccessError.forbidden }
        let now = clock.now()
        try await store.write { writer in
            guard let thread = try writer.thread(id: threadID), thread.state == .open else { throw AccessError.notFound }
            if thread.assignedTo != identity.accountID && identity.role != .supervisor { throw AccessError.forbidden }
            guard let target = try writer.account(name: name), !target.disabled, Self.workingRoles.contains(target.role) else {
                throw RelayError.invalidInput("no active advocate or supervisor by that name")
            }
            try writer.assign(threadID: threadID, to: target.id)
            _ = try Self.appendAudit(
                AuditEvent(actor: identity.name, role: identity.role.rawValue, action: "thread.transfer", threadID: threadID, details: ["to": target.name]),
                at: now, writer: writer)
        }
        await events.publish(.queueChanged(threadID: threadID), to: LiveEvents.staffChannel)
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
    /// needs a purpose, which the audit event records.
    public func viewThread(threadID: String, by identity: StaffIdentity, purpose: String?) async throws -> ThreadView {
        guard Self.workingRoles.contains(identity.role) else { throw AccessError.forbidden }
        guard let thread = try await store.read({ try $0.thread(id: threadID) }) else { throw AccessError.notFound }
        let trimmed = purpose?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
        let reason = trimmed.flatMap { $0.isEmpty ? nil : String($0) }
        if thread.assignedTo != identity.accountID && reason == nil { throw AccessError.purposeRequired }
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
        // Only now is anything decrypted, and only the threads just audited.
        let relay = self
        let (contact, threads, caseRecord) = try await store.read { reader in
            (
                try thread.contactID.flatMap { try reader.contact(id: $0) }, try thread.contactID.map { try reader.threads(contactID: $0) } ?? [thread],
                try thread.contactID.map { try relay.caseRecord(contactID: $0, reader: reader) } ?? CaseRecord()
            )
        }
        var earlier: [(ThreadRecord, [ThreadMessageView])] = []
        var current: [ThreadMessageView] = []
        for other in threads where shown.contains(other.id) {
            let messages = try await decryptedMessages(threadID: other.id)
            var views: [ThreadMessageView] = []
            for message in messages {
                let state = message.direction == .outbound ? try await outboxState(messageID: message.id) : nil
                views.append(ThreadMessageView(message: message, deliveryState: state))
            }
            if other.id == thread.id { current = views } else { earlier.append((other, views)) }
        }
        return ThreadView(
            thread: thread, pseudonym: contact?.pseudonym ?? "—", messages: current, earlier: earlier, caseRecord: caseRecord,
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

    /// Audit events for compliance: by time range, optionally one actor or one thread. Never content.
    public func auditEvents(by identity: StaffIdentity, since: Date, until: Date, actor: String?, threadID: String?, limit: Int = 1_000) async throws -> [String] {
        guard identity.role == .compliance || identity.role == .admin else { throw AccessError.forbidden }
        let rows = try await store.read { try $0.audit(since: since.storeTime, until: until.storeTime, limit: 100_000) }
        var lines: [String] = []
        for row in rows {
            guard let line = row.line else { continue }
            if let actor, !line.contains(#""actor":"\#(actor)""#) { continue }
            if let threadID, !line.contains(#""thread":"\#(threadID)""#) { continue }
            lines.append(line)
            if lines.count >= limit { break }
        }
        return lines
    }
}
