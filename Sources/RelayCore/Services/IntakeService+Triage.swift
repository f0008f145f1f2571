import Foundation
import RelayCrypto
import RelayModel
import RelayStore

/// An automatic answer stored with the message that called for it.
struct AutomaticReply: Sendable, Equatable {
    /// The outbound message.
    var messageID: String
    /// Its text (published to a survivor's open webchat session after the commit).
    var text: String
    /// `queued` when a provider carries it; `nil` when the survivor's session shows it.
    var outboxState: OutboxState?
}

extension IntakeService {
    /// Applies the triage policy to a message just stored, inside the same transaction: the
    /// conversation's language, its priority, and at most one automatic answer, which goes through
    /// the same reply rules as an advocate's (``ReplyGate``: window, do-not-contact, opt-out, a
    /// phone flagged monitored), is audited as sent by the system, and is recorded on the thread so
    /// that it is never sent twice. A redirect takes the thread out of the waiting queue only when
    /// its answer actually goes out; any later message from the person puts it back.
    static func applyTriage(
        text: String, thread stored: ThreadRecord, isNew: Bool, contact: ContactRecord, at now: StoreTime, declaredLanguage: ConversationLanguage? = nil,
        answering: Bool = true, settings: RelaySettings, envelope: Envelope, writer: any StoreWriter
    ) async throws -> (TriageDecision, AutomaticReply?) {
        var thread = stored
        if answering { thread.lastInboundAt = now }
        var input = TriageInput(
            text: text, channel: thread.channel, at: Date(storeTime: now),
            thread: isNew ? nil : TriageThreadState(
                language: thread.language, answered: Set(thread.automaticAnswers.compactMap(AutomaticAnswer.Kind.init(rawValue:))),
                advocateReplied: thread.firstResponseAt != nil, priority: thread.priority))
        input.declaredLanguage = declaredLanguage
        let decision = settings.triage.evaluate(input)
        if decision.urgent { try await writer.raisePriority(threadID: thread.id, to: 1) }

        var answers = thread.automaticAnswers
        var redirectedAt: StoreTime? = nil
        var reply: AutomaticReply? = nil
        if answering, let answer = decision.answer, !answers.contains(answer.kind.rawValue) {
            let gate = ReplyGate(settings: settings)
            let sessionOpen = try await gate.webchatSessionOpen(for: thread, at: now, reader: writer)
            let fits = answer.text.count <= OutboxService.characterLimit(thread: thread, contact: contact, settings: settings)
            if fits, gate.refusal(thread: thread, contact: contact, webchatSessionOpen: sessionOpen, at: now, hasOverride: false) == nil {
                let outbound = try await OutboxService.storeOutbound(
                    text: answer.text, thread: thread, contact: contact, cautionOverride: false, at: now, envelope: envelope, writer: writer)
                answers.append(answer.kind.rawValue)
                // Email has no delivery report: a bounced redirect could never bring the person back,
                // so an email conversation answered by a redirect stays in the queue.
                if answer.kind == .redirect && thread.channel != .email { redirectedAt = now }
                _ = try await AuditLog.append(
                    AuditEvent(
                        actor: "system", role: "system", action: "reply.automatic", threadID: thread.id,
                        details: ["message": outbound.messageID, "rule": answer.rule, "language": decision.language.rawValue]),
                    at: Date(storeTime: now), writer: writer)
                reply = AutomaticReply(messageID: outbound.messageID, text: answer.text, outboxState: outbound.outboxState)
            }
        }
        if decision.language != thread.language || answers != thread.automaticAnswers || redirectedAt != thread.redirectedAt {
            try await writer.recordTriage(threadID: thread.id, language: decision.language, automaticAnswers: answers, redirectedAt: redirectedAt)
        }
        return (decision, reply)
    }
}
