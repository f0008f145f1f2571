import Foundation
import RelayModel

/// One outbound SMS in the durable outbox.
public struct OutboxRecord: Sendable, Equatable {
    /// Random id.
    public var id: String
    /// The outbound message it sends.
    public var messageID: String
    /// The message's thread.
    public var threadID: String
    /// Its state.
    public var state: OutboxState
    /// Attempts made so far.
    public var attempts: Int
    /// Earliest time of the next attempt.
    public var nextAttemptAt: StoreTime
    /// Keyed hash of the provider's message id (Twilio `SM…`), to match status callbacks.
    public var providerIndex: Data?
    /// The provider's error code, if any (e.g. `21610`).
    public var errorCode: String?
    /// When it was queued.
    public var createdAt: StoreTime
    /// When it last changed.
    public var updatedAt: StoreTime
    /// An advocate explicitly overrode the contact's monitored / not-safe-to-text flag for this reply
    /// (audited with a reason). Do-not-contact and opt-out are never overridden.
    public var cautionOverride: Bool = false

    /// Creates an outbox record.
    public init(
        id: String, messageID: String, threadID: String, state: OutboxState, attempts: Int = 0, nextAttemptAt: StoreTime,
        providerIndex: Data? = nil, errorCode: String? = nil, createdAt: StoreTime, updatedAt: StoreTime, cautionOverride: Bool = false
    ) {
        self.cautionOverride = cautionOverride
        self.id = id
        self.messageID = messageID
        self.threadID = threadID
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.providerIndex = providerIndex
        self.errorCode = errorCode
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A webchat session: the bearer token is stored only as its keyed hash.
public struct WebchatSessionRecord: Sendable, Equatable {
    /// Keyed hash of the bearer token.
    public var tokenIndex: Data
    /// The webchat contact it speaks for.
    public var contactID: String
    /// When it started.
    public var createdAt: StoreTime
    /// When it was last used.
    public var lastSeenAt: StoreTime

    /// Creates a session record.
    public init(tokenIndex: Data, contactID: String, createdAt: StoreTime, lastSeenAt: StoreTime) {
        self.tokenIndex = tokenIndex
        self.contactID = contactID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// A resume phrase: a keyed hash of its first word to find it, an Argon2id hash of all of it to check it.
public struct ResumePhraseRecord: Sendable, Equatable {
    /// The contact it resumes.
    public var contactID: String
    /// Keyed hash of the phrase's first word.
    public var lookupIndex: Data
    /// Argon2id hash of the whole phrase.
    public var phraseHash: String
    /// When it was issued.
    public var createdAt: StoreTime

    /// Creates a resume phrase record.
    public init(contactID: String, lookupIndex: Data, phraseHash: String, createdAt: StoreTime) {
        self.contactID = contactID
        self.lookupIndex = lookupIndex
        self.phraseHash = phraseHash
        self.createdAt = createdAt
    }
}
