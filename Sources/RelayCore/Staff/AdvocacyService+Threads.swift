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
    /// The conversation's language, once triage set it.
    public var language: ConversationLanguage?
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
    /// The survivor texted STOP: no SMS goes to them.
    public var optedOut = false
    /// The survivor asked for this conversation to be erased (a hold keeps it): nobody may contact them.
    public var eraseRequested = false
    /// Why a reply could not go out now (``ReplyGate``, the rule sending applies), or `nil` if it can.
    public var replyRefusal: ReplyRefusal?
    /// For SMS, when the reply window closes (the survivor's last text plus the window).
    public var replyWindowClosesAt: Date?
    /// Until when a supervisor's block holds the person's messages back, if one does now.
    public var blockedUntil: Date?

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
    /// The purpose given does not fit the thread (`first_response` for a thread someone else has).
    case purposeDoesNotFit
    /// The audit event could not be written, so nothing was decrypted.
    case auditUnavailable

    public var description: String {
        switch self {
        case .forbidden: "your role does not allow this"
        case .notFound: "no such thread"
        case .purposeRequired: "opening or claiming a thread not assigned to you needs a purpose from the list (X-Access-Purpose: CODE or CODE: note; GET /api/v1/purposes)"
        case .purposeDoesNotFit: "first_response is for a thread nobody has claimed; this one has been claimed, so give another purpose"
        case .auditUnavailable: "the audit log cannot be written, so nothing is shown"
        }
    }
}

extension AdvocacyService {
    /// Claims a thread for the caller (a supervisor may also take one claimed by someone else).
    /// Taking a thread that is not already the caller's opens it to them, so it needs a purpose
    /// (``AccessPurposes``), audited with the claim and shown live to supervisors.
    public func claim(threadID: String, by identity: StaffIdentity, purpose: String?) async throws {
        try AccessPolicy.requireWorkingRole(identity)
        let now = clock.now()
        let parsed = settings.accessPurposes.parse(purpose)
        let claimed = try await store.write { writer -> Bool in
            guard let thread = try await writer.thread(id: threadID), thread.state == .open else { throw AccessError.notFound }
            try AccessPolicy.requireMayClaim(thread, identity)
            guard let parsed = try AccessPolicy.purpose(parsed, toOpen: thread, identity) else { return false }
            try await writer.assign(threadID: threadID, to: identity.accountID)
            _ = try await AuditLog.append(
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
        try AccessPolicy.requireWorkingRole(identity)
        let now = clock.now()
        let parsed = settings.accessPurposes.parse(purpose)
        let outside = try await store.write { writer -> Bool in
            guard let thread = try await writer.thread(id: threadID), thread.state == .open else { throw AccessError.notFound }
            try AccessPolicy.requireMayAct(on: thread, identity)
            let purpose = try AccessPolicy.purpose(parsed, toOpen: thread, identity)
            guard let target = try await writer.account(name: name), AccessPolicy.canWorkThreads(target) else {
                throw RelayError.invalidInput("no active advocate or supervisor by that name")
            }
            try await writer.assign(threadID: threadID, to: target.id)
            _ = try await AuditLog.append(
                AuditEvent(
                    actor: identity.name, role: identity.role.rawValue, action: "thread.transfer", threadID: threadID,
                    purpose: purpose?.auditText, details: ["to": target.name]),
                at: now, writer: writer)
            return purpose != nil
        }
        await events.publish(.queueChanged(threadID: threadID), to: LiveEvents.staffChannel)
        if outside, let parsed {
            await events.publish(.access(threadID: threadID, actor: identity.name, action: "transfer", purpose: parsed.code), to: LiveEvents.staffChannel)
        }
    }

    /// Closes a thread the caller works (or any, for a supervisor).
    /// Closes a thread, with the wrap-up disposition the advocate chose (one of
    /// ``ConsoleTexts/dispositions``; recorded in the audit event, which holds no content).
    public func close(threadID: String, by identity: StaffIdentity, disposition: String? = nil) async throws {
        try AccessPolicy.requireWorkingRole(identity)
        if let disposition, !settings.consoleTexts.isDisposition(disposition) {
            throw RelayError.invalidInput("disposition must be one of: \(settings.consoleTexts.dispositions.map(\.code).joined(separator: ", "))")
        }
        let now = clock.now()
        try await store.write { writer in
            guard let thread = try await writer.thread(id: threadID), thread.state == .open else { throw AccessError.notFound }
            try AccessPolicy.requireMayAct(on: thread, identity)
            try await writer.closeThread(id: threadID, at: now.storeTime)
            _ = try await AuditLog.append(
                AuditEvent(
                    actor: identity.name, role: identity.role.rawValue, action: "thread.close", threadID: threadID,
                    details: disposition.map { ["disposition": $0] } ?? [:]),
                at: now, writer: writer)
        }
        await events.publish(.queueChanged(threadID: threadID), to: LiveEvents.staffChannel)
    }

    /// Sends a reply as an advocate, audited with it; refusals (window, do-not-contact, opt-out) are
    /// audited too and thrown as `ReplyRefusal`.
    public func reply(threadID: String, text: String, by identity: StaffIdentity, override: String? = nil) async throws -> ReplyReceipt {
        try AccessPolicy.requireWorkingRole(identity)
        guard let thread = try await store.read({ try await $0.thread(id: threadID) }) else { throw AccessError.notFound }
        try AccessPolicy.requireMayAct(on: thread, identity)
        do {
            return try await outbox.queueReply(threadID: threadID, text: text, by: identity, override: override)
        } catch let refusal as ReplyRefusal {
            _ = try? await auditLog.record(AuditEvent(actor: identity.name, role: identity.role.rawValue, action: "reply.send", threadID: threadID, outcome: "refused_\(refusal.rawValue)"))
            throw refusal
        }
    }
}

