import Foundation
import RelayModel

/// Reads of contacts: the keyed hash of an address, the sealed address and key, safety flags, case records, kept do-not-contact hashes, inside one consistent snapshot.
public protocol ContactsReading {
    /// The contact with this address index, if any.
    func contact(addressIndex: [UInt8]) async throws -> ContactRecord?
    /// The contact with this id, if any.
    func contact(id: String) async throws -> ContactRecord?
    /// A contact's sealed case record.
    func sealedCaseRecord(contactID: String) async throws -> Data?
    /// Whether a contact address (by its index) was kept do-not-contact after its content was purged.
    func isSuppressed(addressIndex: [UInt8]) async throws -> Bool
    /// Ids of contacts that have a case record, in id order after `contactID` ("" to start).
    func caseRecordContacts(after contactID: String, limit: Int) async throws -> [String]
}

/// Writes of contacts: the keyed hash of an address, the sealed address and key, safety flags, case records, kept do-not-contact hashes, inside one transaction.
public protocol ContactsWriting: ContactsReading {
    /// Inserts a new contact.
    func insert(_ contact: ContactRecord) async throws
    /// Records or clears a contact's opt-out.
    func setOptedOut(contactID: String, _ value: Bool) async throws
    /// Places (until a time) or lifts (`nil`) a supervisor's block on a contact.
    func setBlock(contactID: String, until: StoreTime?) async throws
    /// Deletes a contact: its wrapped key, sealed address, sessions and resume phrase.
    func deleteContact(id: String) async throws
    /// Stores (replacing) a contact's sealed case record.
    func storeCaseRecord(contactID: String, sealed: Data, at time: StoreTime) async throws
    /// Replaces a contact's safety flags (they hold for all its threads, present and future).
    func setSafety(contactID: String, _ flags: ContactSafetyFlags) async throws
    /// Keeps a keyed hash of an address as do-not-contact after its contact is deleted (policy option).
    func suppress(addressIndex: Data, at time: StoreTime) async throws
    /// Forgets a kept do-not-contact address hash (an advocate cleared the flag).
    func unsuppress(addressIndex: Data) async throws
    /// Replaces a contact's address index, so that nothing new from that address finds it again.
    func relinkAddress(contactID: String, to addressIndex: Data) async throws
    /// Deletes every contact with nothing left to keep: no thread with content, no held thread, no
    /// webchat session, and (for a contact that never wrote) created before `idleBefore`. Its key,
    /// sealed address, case record and resume phrase go with it. With `keepDoNotContact`, the address
    /// index of a do-not-contact contact is kept first (``suppress(addressIndex:at:)``). Returns how many.
    func deleteContactsWithoutContent(idleBefore: StoreTime, keepDoNotContact: Bool, at time: StoreTime) async throws -> Int
    /// ``deleteContactsWithoutContent(idleBefore:keepDoNotContact:at:)`` for the contacts of these
    /// threads only (a retention batch's own, in its own transaction). Returns how many.
    func deleteContactsWithoutContent(ofThreads threadIDs: [String], keepDoNotContact: Bool, at time: StoreTime) async throws -> Int
}
