import Foundation
import RelayModel

/// A live event as it travels between instances: kinds and ids only, never a message's text (the
/// receiving instance reads and decrypts the message itself, as its own streams' reader).
struct LiveEventNotice: Codable, Sendable, Equatable {
    var kind: String
    /// The channel: a contact id or ``LiveEvents/staffChannel``; for `session`, the stream key.
    var channel: String
    var id: String?
    var direction: String?
    var thread: String?
    var state: String?
    var actor: String?
    var action: String?
    var purpose: String?

    /// The notice for an outbox entry.
    init(_ entry: LiveEventOutbox.Entry) {
        switch entry {
        case .sessionEnded(let session):
            self.init(kind: "session", channel: session)
        case .event(let event, let channel):
            switch event {
            case .message(let id, let from, _, _): self.init(kind: "message", channel: channel, id: id, direction: from.rawValue)
            case .deleted(let id): self.init(kind: "deleted", channel: channel, id: id)
            case .erased: self.init(kind: "erased", channel: channel)
            case .threadMessage(let thread): self.init(kind: "thread.message", channel: channel, thread: thread)
            case .queueChanged(let thread): self.init(kind: "queue.changed", channel: channel, thread: thread)
            case .replyStatus(let thread, let message, let state):
                self.init(kind: "reply.status", channel: channel, id: message, thread: thread, state: state)
            case .access(let thread, let actor, let action, let purpose):
                self.init(kind: "thread.access", channel: channel, thread: thread, actor: actor, action: action, purpose: purpose)
            }
        }
    }

    init(
        kind: String, channel: String, id: String? = nil, direction: String? = nil, thread: String? = nil, state: String? = nil,
        actor: String? = nil, action: String? = nil, purpose: String? = nil
    ) {
        self.kind = kind
        self.channel = channel
        self.id = id
        self.direction = direction
        self.thread = thread
        self.state = state
        self.actor = actor
        self.action = action
        self.purpose = purpose
    }

    /// The event it names, when it needs no reading (every kind but `message` and `session`).
    var event: LiveEvent? {
        switch kind {
        case "deleted": id.map { .deleted(id: $0) }
        case "erased": .erased
        case "thread.message": thread.map { .threadMessage(threadID: $0) }
        case "queue.changed": thread.map { .queueChanged(threadID: $0) }
        case "reply.status":
            if let thread, let id, let state { .replyStatus(threadID: thread, messageID: id, state: state) } else { nil }
        case "thread.access":
            if let thread, let actor, let action, let purpose { .access(threadID: thread, actor: actor, action: action, purpose: purpose) } else { nil }
        default: nil
        }
    }
}

/// Notices from one instance, as one broadcast payload (PostgreSQL allows under 8,000 bytes).
struct LiveEventBatch: Codable, Sendable {
    /// The sending instance (a random id per process): an instance skips its own.
    var instance: String
    var notices: [LiveEventNotice]

    /// Most notices in one payload (each well under 200 bytes of ids).
    static let maximumNotices = 30
    /// Longest payload accepted from the database.
    static let maximumPayload = 7_999
}
