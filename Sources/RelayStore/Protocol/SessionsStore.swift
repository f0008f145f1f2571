import Foundation
import RelayModel

/// Reads of sessions: webchat sessions, resume phrases, staff sessions and devices (all by keyed hash), inside one consistent snapshot.
public protocol SessionsReading {
    /// A webchat session by token hash.
    func webchatSession(tokenIndex: [UInt8]) async throws -> WebchatSessionRecord?
    /// Whether the contact has a webchat session seen at or after `time`.
    func hasWebchatSession(contactID: String, seenSince time: StoreTime) async throws -> Bool
    /// Resume phrases whose first-word hash matches.
    func resumePhrases(lookupIndex: [UInt8]) async throws -> [ResumePhraseRecord]
    /// The account a staff device token (by its keyed hash) belongs to, if any.
    func staffDeviceAccount(tokenIndex: [UInt8]) async throws -> String?
    /// A staff session by token hash.
    func apiSession(tokenIndex: [UInt8]) async throws -> APISessionRecord?
}

/// Writes of sessions: webchat sessions, resume phrases, staff sessions and devices (all by keyed hash), inside one transaction.
public protocol SessionsWriting: SessionsReading {
    /// Inserts a webchat session.
    func insert(_ session: WebchatSessionRecord) async throws
    /// Marks a session used.
    func touchWebchatSession(tokenIndex: [UInt8], at time: StoreTime) async throws
    /// Ends one session. Returns false if it did not exist.
    func deleteWebchatSession(tokenIndex: [UInt8]) async throws -> Bool
    /// Sets (replacing) a contact's resume phrase.
    func upsert(_ phrase: ResumePhraseRecord) async throws
    /// Ends every webchat session of a contact. Returns how many.
    @discardableResult
    func deleteWebchatSessions(contactID: String) async throws -> Int
    /// Removes a contact's resume phrase.
    func deleteResumePhrase(contactID: String) async throws
    /// Deletes the contact's resume phrase if it is still the one hashed as `phraseHash`; true when
    /// it was (a phrase is used once: of two uses at once, one finds it gone).
    func consumeResumePhrase(contactID: String, phraseHash: String) async throws -> Bool
    /// Deletes webchat sessions last seen before `webchatSeenBefore` and staff sessions last seen
    /// before `staffSeenBefore` or created before `staffCreatedBefore`. Returns how many.
    func deleteExpiredSessions(webchatSeenBefore: StoreTime, staffSeenBefore: StoreTime, staffCreatedBefore: StoreTime) async throws -> Int
    /// Inserts a staff session.
    func insert(_ session: APISessionRecord) async throws
    /// Marks a staff session used.
    func touchAPISession(tokenIndex: [UInt8], at time: StoreTime) async throws
    /// Ends one staff session. Returns false if it did not exist.
    func deleteAPISession(tokenIndex: [UInt8]) async throws -> Bool
    /// Ends every session of an account.
    func deleteAPISessions(accountID: String) async throws
    /// Remembers a device for an account, keeping its ten most recently used.
    func rememberStaffDevice(tokenIndex: [UInt8], accountID: String, at time: StoreTime) async throws
    /// Forgets every device of an account (reset, disable).
    func forgetStaffDevices(accountID: String) async throws
}
