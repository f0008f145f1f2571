import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// An authenticated webchat session: which contact it speaks for.
public struct WebchatSession: Sendable, Equatable {
    /// Keyed hash of the bearer token (the token itself is never kept).
    public let tokenIndex: [UInt8]
    /// The contact.
    public let contactID: String

    /// The name its live streams are registered under (a keyed hash: no token).
    public var streamKey: String { "webchat:" + Hex.encode(tokenIndex) }
}

/// A new webchat session and the bearer token that opens it (shown once, to the survivor).
public struct StartedWebchatSession: Sendable {
    /// The 256-bit bearer token.
    public let token: String
    /// The session.
    public let session: WebchatSession
    /// After a resume: the phrase that replaces the one just used (each works once).
    public var nextPhrase: String? = nil
}

extension WebchatService {
    /// Starts an anonymous webchat conversation: a new contact with a random address and a session.
    public func start() async throws -> StartedWebchatSession {
        let contactKey = RandomToken.identifier()
        let address = try ContactAddress.webchat(contactKey: contactKey)
        let addressIndex = self.addressIndex(address)
        let now = clock.now().storeTime
        let envelope = self.envelope
        let contact = try await store.write { writer in
            try await IntakeService.newContact(address: address, addressIndex: addressIndex, now: now, envelope: envelope, writer: writer)
        }
        return try await openSession(contactID: contact.id, at: now)
    }

    func openSession(contactID: String, at now: StoreTime) async throws -> StartedWebchatSession {
        let (token, tokenIndex) = bearerSessions.newToken(.webchat)
        try await store.write { writer in
            try await writer.insert(WebchatSessionRecord(tokenIndex: Data(tokenIndex), contactID: contactID, createdAt: now, lastSeenAt: now))
        }
        return StartedWebchatSession(token: token, session: WebchatSession(tokenIndex: tokenIndex, contactID: contactID))
    }

    /// The stream key a well-formed token's session has or had (``WebchatSession/streamKey``), or
    /// `nil` for a malformed token. Looks nothing up.
    public func streamKey(token: String) -> String? {
        guard let tokenIndex = bearerSessions.wellFormedIndex(.webchat, of: token) else { return nil }
        return WebchatSession(tokenIndex: tokenIndex, contactID: "").streamKey
    }

    /// The session of a bearer token for an erase: like ``authenticateWebchat(token:)``, but a session
    /// that has only idled out (and not yet been swept) still may erase its conversation, so that a
    /// survivor who comes back to a forgotten tab can delete it.
    public func authenticateForErase(token: String) async throws -> WebchatSession {
        guard let tokenIndex = bearerSessions.wellFormedIndex(.webchat, of: token),
            let record = try await store.read({ try await $0.webchatSession(tokenIndex: tokenIndex) })
        else { throw RelayError.unauthorized }
        return WebchatSession(tokenIndex: tokenIndex, contactID: record.contactID)
    }

    /// Finds the session of a bearer token, refusing unknown, ended, idle-expired and too old
    /// (``RelaySettings/webchatSessionAbsolute``) ones. A successful check moves its idle clock, with
    /// a write at most once a minute (``BearerSessions/touchInterval``), so that reading needs no
    /// write lock. An expired session is left for retention to sweep, so that the survivor can
    /// still erase from a forgotten tab (``authenticateWebchatForErase(token:)``).
    public func authenticate(token: String) async throws -> WebchatSession {
        guard let tokenIndex = bearerSessions.wellFormedIndex(.webchat, of: token) else { throw RelayError.unauthorized }
        let now = clock.now().storeTime
        guard let record = try await store.read({ try await $0.webchatSession(tokenIndex: tokenIndex) }), isWebchatSessionCurrent(record, at: now) else {
            throw RelayError.unauthorized
        }
        await bearerSessions.touchIfDue(lastSeenAt: record.lastSeenAt, at: now) { try await $0.touchWebchatSession(tokenIndex: tokenIndex, at: now) }
        return WebchatSession(tokenIndex: tokenIndex, contactID: record.contactID)
    }

    /// Whether a session record is neither idle-expired nor past its absolute lifetime at `now`.
    func isWebchatSessionCurrent(_ record: WebchatSessionRecord, at now: StoreTime) -> Bool {
        bearerSessions.isCurrent(.webchat, createdAt: record.createdAt, lastSeenAt: record.lastSeenAt, at: now)
    }

    /// Stores a survivor's webchat message; a retry with the same idempotency key is stored once.
    public func send(_ session: WebchatSession, text: String, idempotencyKey: String) async throws -> IngestReceipt {
        try settings.validateWebchat(text: text, idempotencyKey: idempotencyKey)
        let deliveryIndex = self.deliveryIndex(channel: .webchat, deliveryID: "\(session.contactID):\(idempotencyKey)")
        let contactID = session.contactID
        let tokenIndex = session.tokenIndex
        return try await intake.storeInbound(body: Array(text.utf8), channel: .webchat, deliveryIndex: deliveryIndex, at: clock.now().storeTime) { writer in
            // In the same transaction: a session ended meanwhile (quick exit, an erase a hold defers)
            // must not write into what it left.
            guard try await writer.webchatSession(tokenIndex: tokenIndex) != nil, let contact = try await writer.contact(id: contactID) else {
                throw RelayError.unauthorized
            }
            return contact
        }
    }

    /// The conversation as the survivor sees it: every message of the contact's threads not erased, oldest first.
    public func messages(_ session: WebchatSession) async throws -> [DecryptedMessage] {
        let threads = try await store.read { try await $0.threads(contactID: session.contactID) }
        var messages: [DecryptedMessage] = []
        for thread in threads where thread.key != nil {
            messages += try await sealing.decryptedMessages(threadID: thread.id)
        }
        return messages.sorted { $0.createdAt < $1.createdAt }
    }

    /// Deletes one message or reply of the survivor's conversation. Returns false if there is no
    /// such message in it (the answer does not tell whether it exists elsewhere).
    public func deleteMessage(_ session: WebchatSession, messageID: String) async throws -> Bool {
        let contactID = session.contactID
        let deleted = try await store.write { writer -> Bool in
            guard let message = try await writer.message(id: messageID), let thread = try await writer.thread(id: message.threadID),
                thread.contactID == contactID
            else { return false }
            return try await writer.deleteMessage(id: messageID)
        }
        if deleted {
            await events.publish(.deleted(id: messageID), to: contactID)
            await walTruncation.truncate()
        }
        return deleted
    }

    /// Ends a session (quick exit): the token stops working and its open live streams end at once;
    /// the conversation stays for a resume phrase.
    public func end(_ session: WebchatSession) async throws {
        _ = try await store.write { try await $0.deleteWebchatSession(tokenIndex: session.tokenIndex) }
        // Then the streams: one that authenticated while the session still stood ends too.
        await events.endSession(session.streamKey)
    }

    /// Whether a session still stands (not ended, not idle-expired), without moving its idle clock;
    /// `nil` when the store could not say (busy or out of reach). Live streams ask this
    /// periodically, so that a session ended elsewhere ends its streams too.
    public func isLive(_ session: WebchatSession) async -> Bool? {
        let now = clock.now().storeTime
        let tokenIndex = session.tokenIndex
        do {
            guard let record = try await store.read({ try await $0.webchatSession(tokenIndex: tokenIndex) }) else { return false }
            return isWebchatSessionCurrent(record, at: now)
        } catch {
            return nil
        }
    }

    /// Erases the whole conversation (every key destroyed) and ends every session of it.
    public func eraseConversation(_ session: WebchatSession) async throws -> ContactErasure {
        try await erasure.eraseContact(id: session.contactID)
    }

    /// Issues (replacing any earlier one) a resume phrase for the session's conversation. Only a
    /// keyed hash of the whole phrase (to find it: one row, so no number of other phrases can crowd
    /// it out) and an Argon2id hash of it (to check it) are stored.
    public func createResumePhrase(_ session: WebchatSession) async throws -> String {
        let phrase = ResumePhrase.generate()
        let words = ResumePhrase.normalise(phrase)!
        let hash = try await phraseHashing.hash(words.joined(separator: "-"), with: phraseHasher)
        let lookup = phraseLookup(words)
        let now = clock.now().storeTime
        let contactID = session.contactID
        let tokenIndex = session.tokenIndex
        try await store.write { writer in
            guard try await writer.webchatSession(tokenIndex: tokenIndex) != nil else { throw RelayError.unauthorized }
            try await writer.upsert(ResumePhraseRecord(contactID: contactID, lookupIndex: Data(lookup), phraseHash: hash, createdAt: now))
        }
        return phrase
    }

    /// Opens a new session on the conversation a resume phrase belongs to, uses the phrase up, and
    /// returns its successor (``StartedWebchatSession/nextPhrase``). A phrase issued before whole-phrase lookup
    /// is still found by its first word (at most eight such rows are checked).
    public func resume(phrase typed: String) async throws -> StartedWebchatSession {
        guard let words = ResumePhrase.normalise(typed) else { throw RelayError.unauthorized }
        let lookup = phraseLookup(words)
        let legacyLookup = keyring.blindIndex(.resumePhrase).index(words[0])
        let candidates = try await store.read { reader in
            let exact = try await reader.resumePhrases(lookupIndex: lookup)
            return exact.isEmpty ? try await reader.resumePhrases(lookupIndex: legacyLookup) : exact
        }
        let canonical = words.joined(separator: "-")
        let hasher = phraseHasher
        var match: ResumePhraseRecord?
        for candidate in candidates where try await phraseHashing.verify(canonical, against: candidate.phraseHash, with: hasher) {
            match = candidate
            break
        }
        guard let match else { throw RelayError.unauthorized }
        // A phrase works once: it goes in the transaction that opens the session, so two uses sent
        // at once open one session, and a phrase seen over a shoulder afterwards opens nothing. Its
        // successor is stored in the same transaction and handed back with the token, so the
        // survivor always holds a way back (and a way to erase) without asking for one.
        let next = ResumePhrase.generate()
        let nextWords = ResumePhrase.normalise(next)!
        let nextHash = try await phraseHashing.hash(nextWords.joined(separator: "-"), with: hasher)
        let nextLookup = phraseLookup(nextWords)
        let (token, tokenIndex) = bearerSessions.newToken(.webchat)
        let now = clock.now().storeTime
        try await store.write { writer in
            guard try await writer.consumeResumePhrase(contactID: match.contactID, phraseHash: match.phraseHash) else { throw RelayError.unauthorized }
            try await writer.upsert(ResumePhraseRecord(contactID: match.contactID, lookupIndex: Data(nextLookup), phraseHash: nextHash, createdAt: now))
            try await writer.insert(WebchatSessionRecord(tokenIndex: Data(tokenIndex), contactID: match.contactID, createdAt: now, lastSeenAt: now))
        }
        return StartedWebchatSession(
            token: token, session: WebchatSession(tokenIndex: tokenIndex, contactID: match.contactID), nextPhrase: next)
    }

    /// The keyed hash a phrase is found by: all five words, so that it names one row.
    func phraseLookup(_ words: [String]) -> [UInt8] {
        keyring.blindIndex(.resumePhrase).index("phrase:" + words.joined(separator: "-"))
    }

    var phraseHasher: PasswordHasher {
        switch settings.phraseHashCost {
        case .interactive: PasswordHasher(cost: .interactive)
        case .minimal: PasswordHasher(cost: .init(operations: 1, memory: 8 * 1024 * 1024))
        }
    }
}
