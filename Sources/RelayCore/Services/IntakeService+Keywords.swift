import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// What an SMS keyword did.
public enum KeywordOutcome: Sendable, Equatable {
    /// The sender's conversation was erased; send the one confirmation.
    case erased(confirmation: String)
    /// A legal hold keeps part of the conversation for now; send the neutral notice that says so.
    case eraseDeferred(notice: String)
    /// The sender opted out or back in.
    case optOutRecorded(Bool)
    /// The same delivery was handled before: do nothing again.
    case duplicate
}

extension IntakeService {
    /// Applies an SMS keyword from `address`. Idempotent per delivery id: a redelivered ERASE
    /// erases nothing more and confirms nothing twice. Like every erasure, never refused for audit reasons.
    public func handleKeyword(_ keyword: SMSKeyword, from address: ContactAddress, deliveryID: String) async throws -> KeywordOutcome {
        let addressIndex = self.addressIndex(address)
        let heldIndex = heldAddressIndex(address)
        let deliveryIndex = self.deliveryIndex(channel: address.channel, deliveryID: deliveryID)
        let now = clock.now()
        let defers = settings.holdDefersSurvivorErase
        // Marking the delivery handled and acting on it commit together: a crash in between cannot
        // leave an ERASE recorded as done but not done.
        let (first, auditDeferred) = try await erasure.writeWithAuditFallback(at: now) { writer -> ((Bool, String?, ContactErasure?), [AuditEvent]) in
            guard try await !writer.isHandled(deliveryIndex: deliveryIndex), try await writer.message(deliveryIndex: deliveryIndex) == nil else {
                return ((false, nil, nil), [])
            }
            try await writer.markHandled(deliveryIndex: deliveryIndex, at: now.storeTime)
            let contact = try await writer.contact(addressIndex: addressIndex)
            switch keyword {
            case .optOut, .optIn:
                if let contact { try await writer.setOptedOut(contactID: contact.id, keyword == .optOut) }
                return ((true, contact?.id, nil), [])
            case .erase:
                guard let contact else {
                    // Asked before, and a hold still keeps it: say the same as then, not "Done".
                    if let held = try await writer.contact(addressIndex: heldIndex) {
                        var waiting = ContactErasure(threadsErased: 0, messagesDeleted: 0)
                        waiting.threadsDeferred = try await writer.threads(contactID: held.id).filter { $0.state != .erased }.count
                        return ((true, held.id, waiting), [])
                    }
                    return ((true, nil, nil), [])
                }
                let (erasure, events) = try await ErasureService.eraseContact(contact.id, at: now, defers: defers, heldIndex: heldIndex, writer: writer)
                return ((true, contact.id, erasure), events)
            }
        }
        guard first.0 else { return .duplicate }
        switch keyword {
        case .erase:
            if let contactID = first.1, var result = first.2 {
                result.auditDeferred = auditDeferred
                await erasure.finishErasure(contactID: contactID, result)
                if result.isDeferred { return .eraseDeferred(notice: settings.eraseDeferredNotice) }
            }
            return .erased(confirmation: settings.eraseConfirmation)
        case .optOut:
            return .optOutRecorded(true)
        case .optIn:
            return .optOutRecorded(false)
        }
    }

    /// Where the address index of a contact whose erasure a hold defers moves: a keyed hash of the
    /// address under its own label, found only by someone who has the address and asks to erase.
    func heldAddressIndex(_ address: ContactAddress) -> [UInt8] {
        keyring.blindIndex(.contactAddress).index("erase-deferred:" + address.indexInput)
    }
}
