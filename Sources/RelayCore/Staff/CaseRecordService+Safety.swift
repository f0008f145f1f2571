import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

extension CaseRecordService {
    /// Flags or clears do-not-contact for the person behind a thread: it holds for every thread of
    /// that contact, present and future.
    public func setDoNotContact(threadID: String, _ value: Bool) async throws {
        try await store.write { writer in
            guard let thread = try await writer.thread(id: threadID) else { throw RelayError.threadNotFound }
            guard let contactID = thread.contactID, let contact = try await writer.contact(id: contactID) else { throw RelayError.threadErased }
            var flags = contact.safety
            flags.doNotContact = value
            try await writer.setSafety(contactID: contactID, flags)
        }
    }
}
