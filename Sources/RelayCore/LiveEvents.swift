import Foundation
import RelayModel
import RelayStore

/// Something a live stream should show at once.
public enum LiveEvent: Sendable, Equatable {
    /// A new message in the conversation.
    case message(id: String, from: MessageDirection, text: String, at: Date)
    /// A message was deleted.
    case deleted(id: String)
    /// The conversation was erased; the stream ends.
    case erased
    /// For advocates: a survivor wrote in a thread (no content: open the thread to read it).
    case threadMessage(threadID: String)
    /// For advocates: the queue changed (claimed, transferred, closed).
    case queueChanged(threadID: String)
    /// For advocates: a reply's delivery state changed.
    case replyStatus(threadID: String, messageID: String, state: String)
    /// For supervisors only: someone opened or claimed a thread that was not theirs, and why (the
    /// purpose code; the note stays in the audit log).
    case access(threadID: String, actor: String, action: String, purpose: String)
}

/// In-memory fan-out of live events to the streams of one contact. Nothing is stored; a stream
/// that is not connected simply misses the event and reads the history instead.
public actor LiveEvents {
    /// The channel every advocate stream listens on (events there carry ids only, never content).
    public static let staffChannel = "staff:all"

    private var subscribers: [String: [UUID: AsyncStream<LiveEvent>.Continuation]] = [:]
    /// Where this instance's publications go for the other instances on a shared store, once
    /// ``relayOutgoing()`` has been called (never on SQLite).
    private var outgoing: LiveEventOutbox?
    /// Which streams each session holds, so that ending the session ends them at once.
    private var sessionStreams: [String: [UUID: String]] = [:]
    /// The session of each stream.
    private var streamSession: [UUID: String] = [:]

    /// Creates an empty hub.
    public init() {}

    /// Most streams one webchat contact may hold open.
    public static let maximumPerChannel = 4
    /// Most streams on the advocates' channel, and in all.
    public static let maximumStaffStreams = 500
    /// Most streams in all.
    public static let maximumStreams = 20_000
    /// Most streams one session (a survivor's or a staff member's) may hold: one person cannot take
    /// the staff channel's slots, and with them the supervisors' view of who opens what.
    public static let maximumPerSession = 4

    /// Subscribes to a contact's events on behalf of `session` (a key naming the bearer session), or
    /// returns `nil` when the contact or the server already has as many open streams as allowed. The
    /// stream ends when `unsubscribe` is called, the contact is erased, or ``endSession(_:)`` ends its session.
    public func subscribe(contactID: String, session: String) -> (UUID, AsyncStream<LiveEvent>)? {
        let perChannel = contactID == Self.staffChannel ? Self.maximumStaffStreams : Self.maximumPerChannel
        guard (subscribers[contactID]?.count ?? 0) < perChannel, openStreams < Self.maximumStreams,
            (sessionStreams[session]?.count ?? 0) < Self.maximumPerSession
        else { return nil }
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .bufferingNewest(64))
        subscribers[contactID, default: [:]][id] = continuation
        sessionStreams[session, default: [:]][id] = contactID
        streamSession[id] = session
        return (id, stream)
    }

    /// Ends one subscription.
    public func unsubscribe(contactID: String, id: UUID) {
        subscribers[contactID]?.removeValue(forKey: id)?.finish()
        if subscribers[contactID]?.isEmpty == true { subscribers[contactID] = nil }
        forgetSession(of: id)
    }

    private func forgetSession(of id: UUID) {
        guard let session = streamSession.removeValue(forKey: id) else { return }
        sessionStreams[session]?[id] = nil
        if sessionStreams[session]?.isEmpty == true { sessionStreams[session] = nil }
    }

    /// Ends every open stream of a session at once (quick exit, logout, expiry, a disabled account),
    /// on every instance.
    public func endSession(_ session: String) {
        outgoing?.append(.sessionEnded(session))
        endSessionHere(session)
    }

    /// Ends a session's streams on this instance only (another instance ended it).
    func endSessionHere(_ session: String) {
        guard let streams = sessionStreams.removeValue(forKey: session) else { return }
        for (id, contactID) in streams {
            streamSession[id] = nil
            subscribers[contactID]?.removeValue(forKey: id)?.finish()
            if subscribers[contactID]?.isEmpty == true { subscribers[contactID] = nil }
        }
    }

    /// How many streams a session holds open (for tests).
    public func openStreams(session: String) -> Int { sessionStreams[session]?.count ?? 0 }

    /// Sends an event to every stream of the contact, on every instance.
    public func publish(_ event: LiveEvent, to contactID: String) {
        outgoing?.append(.event(event, channel: contactID))
        deliver(event, to: contactID)
    }

    /// Sends an event to the contact's streams on this instance only (another instance published it).
    func deliver(_ event: LiveEvent, to contactID: String) {
        guard let streams = subscribers[contactID] else { return }
        for continuation in streams.values { continuation.yield(event) }
        if event == .erased {
            for continuation in streams.values { continuation.finish() }
            subscribers[contactID] = nil
            for id in streams.keys { forgetSession(of: id) }
        }
    }

    /// From now on, hands every publication and session ending to `outbox` as well, for the other
    /// instances.
    func relayOutgoing(to outbox: LiveEventOutbox) {
        outgoing = outbox
    }

    /// The channels with a stream open on this instance.
    var subscribedChannels: [String] { Array(subscribers.keys) }

    /// How many streams are open (for metrics).
    public var openStreams: Int { subscribers.values.reduce(0) { $0 + $1.count } }
}
