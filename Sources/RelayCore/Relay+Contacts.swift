import Foundation
import Logging
import RelayCrypto
import RelayStore

/// What erasing a contact did.
public struct ContactErasure: Sendable, Equatable {
    /// Threads whose content was destroyed.
    public var threadsErased: Int
    /// Messages destroyed.
    public var messagesDeleted: Int
    /// Threads kept because a legal hold defers the survivor's request.
    public var threadsDeferred: Int = 0
}

/// What an SMS keyword did.
public enum KeywordOutcome: Sendable, Equatable {
    /// The sender's conversation was erased; send the one confirmation.
    case erased(confirmation: String)
    /// The sender opted out or back in.
    case optOutRecorded(Bool)
    /// The same delivery was handled before: do nothing again.
    case duplicate
}

extension Relay {
    /// Crypto-shreds everything of a contact: every thread's key and messages, the contact's own key
    /// and sealed address, its webchat sessions and resume phrase. Then truncates the WAL.
    public func eraseContact(id contactID: String) async throws -> ContactErasure {
        let now = clock.now()
        let defers = settings.holdDefersSurvivorErase
        let result = try await store.write { writer in try Self.eraseContact(contactID, at: now, defers: defers, writer: writer) }
        await finishErasure(contactID: contactID, result)
        return result
    }

    /// The erasure itself, inside the caller's transaction.
    static func eraseContact(_ contactID: String, at now: Date, defers: Bool, writer: any StoreWriter) throws -> ContactErasure {
        var erasure = ContactErasure(threadsErased: 0, messagesDeleted: 0)
        for thread in try writer.threads(contactID: contactID) where thread.state != .erased {
            if defers, try writer.hold(threadID: thread.id) != nil {
                // A legal hold defers the erasure; retention carries it out once the hold is released.
                try writer.markEraseRequested(threadID: thread.id, at: now.storeTime)
                erasure.threadsDeferred += 1
                _ = try appendAudit(
                    AuditEvent(actor: "survivor", role: "survivor", action: "thread.erase", threadID: thread.id, outcome: "deferred_by_hold"),
                    at: now, writer: writer)
                continue
            }
            erasure.messagesDeleted += try writer.eraseThread(id: thread.id, at: now.storeTime) ?? 0
            erasure.threadsErased += 1
            _ = try appendAudit(AuditEvent(actor: "survivor", role: "survivor", action: "thread.erase", threadID: thread.id), at: now, writer: writer)
        }
        try writer.deleteContact(id: contactID)
        return erasure
    }

    /// After an erasure commits: end live streams and truncate the WAL.
    func finishErasure(contactID: String, _ result: ContactErasure) async {
        await events.publish(.erased, to: contactID)
        do {
            try await store.checkpointAndTruncate()
        } catch {
            logger.warning("WAL truncation after erasure incomplete; it will be retried")
        }
        logger.info("contact erased", metadata: ["contact.id": "\(contactID)", "threads.erased": "\(result.threadsErased)"])
    }

    /// Applies an SMS keyword from `address`. Idempotent per delivery id: a redelivered ERASE
    /// erases nothing more and confirms nothing twice.
    public func handleKeyword(_ keyword: SMSKeyword, from address: ContactAddress, deliveryID: String) async throws -> KeywordOutcome {
        let addressIndex = self.addressIndex(address)
        let deliveryIndex = self.deliveryIndex(channel: address.channel, deliveryID: deliveryID)
        let now = clock.now()
        let defers = settings.holdDefersSurvivorErase
        // Marking the delivery handled and acting on it commit together: a crash in between cannot
        // leave an ERASE recorded as done but not done.
        let first = try await store.write { writer -> (Bool, String?, ContactErasure?) in
            guard try !writer.isHandled(deliveryIndex: deliveryIndex), try writer.message(deliveryIndex: deliveryIndex) == nil else {
                return (false, nil, nil)
            }
            try writer.markHandled(deliveryIndex: deliveryIndex, at: now.storeTime)
            let contact = try writer.contact(addressIndex: addressIndex)
            switch keyword {
            case .optOut, .optIn:
                if let contact { try writer.setOptedOut(contactID: contact.id, keyword == .optOut) }
                return (true, contact?.id, nil)
            case .erase:
                guard let contact else { return (true, nil, nil) }
                return (true, contact.id, try Self.eraseContact(contact.id, at: now, defers: defers, writer: writer))
            }
        }
        guard first.0 else { return .duplicate }
        switch keyword {
        case .erase:
            if let contactID = first.1, let erasure = first.2 { await finishErasure(contactID: contactID, erasure) }
            return .erased(confirmation: settings.eraseConfirmation)
        case .optOut:
            logger.info("opt-out recorded", metadata: ["contact.id": "\(first.1 ?? "none")"])
            return .optOutRecorded(true)
        case .optIn:
            return .optOutRecorded(false)
        }
    }

    /// Flags or clears do-not-contact on a thread.
    public func setDoNotContact(threadID: String, _ value: Bool) async throws {
        try await store.write { writer in
            guard try writer.thread(id: threadID) != nil else { throw RelayError.threadNotFound }
            try writer.setDoNotContact(threadID: threadID, value)
        }
    }
}
