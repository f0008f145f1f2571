import Foundation
import RelayModel

/// A data key as stored: sealed by a key-encryption key. The store never sees the key itself.
public struct StoredKey: Sendable, Equatable, Codable {
    /// The key-encryption key version that opens it.
    public var kekVersion: UInt32
    /// The data key's own version.
    public var keyVersion: UInt32
    /// The sealed key.
    public var sealed: Data

    /// Creates a stored key.
    public init(kekVersion: UInt32, keyVersion: UInt32, sealed: Data) {
        self.kekVersion = kekVersion
        self.keyVersion = keyVersion
        self.sealed = sealed
    }
}

/// A survivor as the relay knows them: a keyed hash of their address, the address sealed with the
/// contact's own data key (only to send replies), and a stable pseudonym for advocates.
public struct ContactRecord: Sendable, Equatable {
    /// Random id (32 hex characters).
    public var id: String
    /// The channel of the address.
    public var channel: ChannelKind
    /// Keyed BLAKE2b of the normalised address.
    public var addressIndex: Data
    /// The address sealed with the contact's data key.
    public var sealedAddress: Data
    /// The contact's data key, wrapped; `nil` once the contact is erased.
    public var key: StoredKey?
    /// The stable pseudonym advocates see instead of the address.
    public var pseudonym: String
    /// When the contact first wrote.
    public var createdAt: StoreTime
    /// The contact texted STOP (mirrored from the carrier's opt-out): never text them.
    public var optedOut: Bool = false
    /// The safety flags advocates set; they hold for every present and future thread of the contact.
    public var safety = ContactSafetyFlags()
    /// Until when a supervisor's block holds this contact's messages back, if one was placed.
    public var blockedUntil: StoreTime? = nil

    /// Creates a contact record.
    public init(
        id: String, channel: ChannelKind, addressIndex: Data, sealedAddress: Data, key: StoredKey?, pseudonym: String, createdAt: StoreTime,
        optedOut: Bool = false, safety: ContactSafetyFlags = ContactSafetyFlags(), blockedUntil: StoreTime? = nil
    ) {
        self.optedOut = optedOut
        self.safety = safety
        self.blockedUntil = blockedUntil
        self.id = id
        self.channel = channel
        self.addressIndex = addressIndex
        self.sealedAddress = sealedAddress
        self.key = key
        self.pseudonym = pseudonym
        self.createdAt = createdAt
    }
}

/// A conversation. Its data key seals every message in it; erasing the thread destroys that key.
public struct ThreadRecord: Sendable, Equatable {
    /// Random id (32 hex characters).
    public var id: String
    /// The contact, while it exists.
    public var contactID: String?
    /// The channel the thread runs on.
    public var channel: ChannelKind
    /// Lifecycle state.
    public var state: ThreadState
    /// The thread's data key, wrapped; `nil` once erased.
    public var key: StoredKey?
    /// When the first message arrived.
    public var openedAt: StoreTime
    /// When the last message arrived or was sent.
    public var lastActivityAt: StoreTime
    /// When it was closed, if it was.
    public var closedAt: StoreTime?
    /// When its content was destroyed, if it was.
    public var erasedAt: StoreTime?
    /// When the survivor last wrote: the reply window opens from here.
    public var lastInboundAt: StoreTime?
    /// The advocate account working the thread, if claimed.
    public var assignedTo: String? = nil
    /// Higher is more urgent (raised by urgent words from the survivor).
    public var priority: Int = 0
    /// When an advocate first replied.
    public var firstResponseAt: StoreTime? = nil
    /// When the survivor asked for it to be erased while a legal hold kept it.
    public var eraseRequestedAt: StoreTime? = nil
    /// The conversation's language, once triage has set it.
    public var language: ConversationLanguage? = nil
    /// The automatic answers it has had (`first_answer`, `after_hours`, `redirect`), each at most once.
    public var automaticAnswers: [String] = []
    /// When an out-of-scope redirect took it out of the waiting queue (cleared when the person writes again).
    public var redirectedAt: StoreTime? = nil

    /// Creates a thread record.
    public init(
        id: String, contactID: String?, channel: ChannelKind, state: ThreadState, key: StoredKey?,
        openedAt: StoreTime, lastActivityAt: StoreTime, closedAt: StoreTime? = nil, erasedAt: StoreTime? = nil,
        lastInboundAt: StoreTime? = nil
    ) {
        self.lastInboundAt = lastInboundAt
        self.id = id
        self.contactID = contactID
        self.channel = channel
        self.state = state
        self.key = key
        self.openedAt = openedAt
        self.lastActivityAt = lastActivityAt
        self.closedAt = closedAt
        self.erasedAt = erasedAt
    }
}

/// One message, sealed with its thread's data key.
public struct MessageRecord: Sendable, Equatable {
    /// Random id (32 hex characters), bound into the ciphertext.
    public var id: String
    /// The thread, bound into the ciphertext.
    public var threadID: String
    /// Direction, bound into the ciphertext.
    public var direction: MessageDirection
    /// The sealed body.
    public var sealedBody: Data
    /// Keyed hash of the channel's delivery id (Twilio MessageSid, webchat idempotency key); unique.
    public var deliveryIndex: Data?
    /// When it was stored.
    public var createdAt: StoreTime

    /// Creates a message record.
    public init(id: String, threadID: String, direction: MessageDirection, sealedBody: Data, deliveryIndex: Data?, createdAt: StoreTime) {
        self.id = id
        self.threadID = threadID
        self.direction = direction
        self.sealedBody = sealedBody
        self.deliveryIndex = deliveryIndex
        self.createdAt = createdAt
    }
}

/// Who owns a wrapped data key.
public enum KeyOwner: Sendable, Equatable, Hashable {
    /// A thread's data key.
    case thread(String)
    /// A contact's data key.
    case contact(String)
    /// An account's data key (it seals the account's TOTP secret).
    case account(String)

    /// The owner's id, bound into the wrapped key.
    public var id: String {
        switch self {
        case .thread(let id), .contact(let id), .account(let id): id
        }
    }
}

/// A wrapped key with its owner, for rotation.
public struct OwnedKey: Sendable, Equatable {
    /// The owner.
    public var owner: KeyOwner
    /// The wrapped key.
    public var key: StoredKey

    /// Creates an owned key.
    public init(owner: KeyOwner, key: StoredKey) {
        self.owner = owner
        self.key = key
    }
}

extension ThreadRecord {
    /// The automatic answers as stored: a comma-separated list.
    public static func answers(_ stored: String?) -> [String] {
        (stored ?? "").split(separator: ",").map(String.init)
    }
}
