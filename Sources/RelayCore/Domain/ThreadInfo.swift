import Foundation
import RelayModel
import RelayStore

/// A thread as the core's callers see it: metadata only, no key, no contact id.
public struct ThreadInfo: Sendable, Equatable {
    /// Random id (32 hex characters).
    public var id: String
    /// The channel the thread runs on.
    public var channel: ChannelKind
    /// Lifecycle state.
    public var state: ThreadState
    /// When the first message arrived.
    public var openedAt: Date
    /// When the last message arrived or was sent.
    public var lastActivityAt: Date
    /// When it was closed, if it was.
    public var closedAt: Date?
    /// The advocate account working the thread, if claimed.
    public var assignedTo: String?
    /// Higher is more urgent.
    public var priority: Int
    /// When the survivor last wrote, if they have: an SMS reply window runs from here.
    public var lastInboundAt: Date?
    /// The conversation's language, once triage set it.
    public var language: ConversationLanguage?
    /// Since when an out-of-scope redirect keeps it out of the waiting queue, if one does.
    public var redirectedAt: Date?

    /// Creates the metadata view of a stored thread.
    init(_ record: ThreadRecord) {
        id = record.id
        channel = record.channel
        state = record.state
        openedAt = Date(storeTime: record.openedAt)
        lastActivityAt = Date(storeTime: record.lastActivityAt)
        closedAt = record.closedAt.map(Date.init(storeTime:))
        assignedTo = record.assignedTo
        priority = record.priority
        lastInboundAt = record.lastInboundAt.map(Date.init(storeTime:))
        language = record.language
        redirectedAt = record.redirectedAt.map(Date.init(storeTime:))
    }
}
