import Foundation
import RelayModel
import RelayStore

/// The one rule for whether a reply may go out on a thread now. Sending a reply applies it inside
/// the write that stores the reply; a thread view applies it to say in advance what sending would
/// answer — the same function, so the console can never promise what the outbox then refuses.
struct ReplyGate: Sendable {
    /// The hotline's windows.
    let settings: RelaySettings

    /// Why a reply may not go out now, or `nil` if it may. `hasOverride` says whether the advocate
    /// gave a reason to text a phone flagged monitored or not safe (a view passes `true`: an override
    /// is the advocate's to give, so it is reported apart, not as a refusal).
    func refusal(
        thread: ThreadRecord, contact: ContactRecord?, webchatSessionOpen: Bool, at now: StoreTime, hasOverride: Bool
    ) -> ReplyRefusal? {
        guard thread.key != nil, let contact else { return .threadErased }
        if thread.eraseRequestedAt != nil { return .eraseRequested }
        if contact.safety.doNotContact { return .doNotContact }
        switch (thread.channel, contact.channel) {
        case (.sms, _), (.webform, .sms):
            if contact.optedOut { return .optedOut }
            if contact.safety.textNeedsOverride && !hasOverride { return .safetyOverrideRequired }
            guard let closes = smsWindowCloses(thread, contact: contact), now <= closes else { return .windowClosed }
        case (.webchat, _), (.webform, .webchat):
            // The page shows replies only inside the session the survivor has open: no trace on the phone.
            guard webchatSessionOpen else { return .windowClosed }
        case (.email, _):
            if contact.optedOut { return .optedOut }
            // An inbox can be read by someone else as a phone can: the same caution holds.
            if contact.safety.textNeedsOverride && !hasOverride { return .safetyOverrideRequired }
            guard let closes = smsWindowCloses(thread, contact: contact), now <= closes else { return .windowClosed }
        case (.webform, _):
            return .noWayBack
        }
        return nil
    }

    /// When a texted or emailed thread's reply window closes (the person's last message plus the
    /// channel's window); `nil` for webchat (its window is the survivor's open session), a report
    /// that left no number, or a thread with no inbound message.
    func smsWindowCloses(_ thread: ThreadRecord, contact: ContactRecord?) -> StoreTime? {
        guard let lastInbound = thread.lastInboundAt else { return nil }
        let window: TimeInterval
        switch thread.channel {
        case .sms: window = settings.smsReplyWindow
        case .email: window = settings.emailReplyWindow
        case .webform where contact?.channel == .sms: window = settings.reportTextWindow
        case .webform, .webchat: return nil
        }
        return lastInbound + StoreTime(window * 1000)
    }

    /// Whether the contact has a webchat session seen within the idle limit (read in the caller's
    /// transaction, so the answer and what follows it agree).
    func webchatSessionOpen(for thread: ThreadRecord, at now: StoreTime, reader: any StoreReader) async throws -> Bool {
        guard thread.channel == .webchat || thread.channel == .webform, let contactID = thread.contactID else { return false }
        return try await reader.hasWebchatSession(contactID: contactID, seenSince: now - StoreTime(settings.webchatSessionIdle * 1000))
    }
}
