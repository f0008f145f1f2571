import Foundation
import RelayModel

/// Reads of threads: lifecycle, assignment, priority, the queue, inside one consistent snapshot.
public protocol ThreadsReading {
    /// The thread with this id, if any.
    func thread(id: String) async throws -> ThreadRecord?
    /// The contact's open thread on a channel, if any.
    func openThread(contactID: String, channel: ChannelKind) async throws -> ThreadRecord?
    /// Every thread of a contact, oldest first.
    func threads(contactID: String) async throws -> [ThreadRecord]
    /// Open threads (the queue), most urgent and longest waiting first, at most `limit`.
    func openThreads(limit: Int) async throws -> [ThreadRecord]
    /// Open threads, those without a first response, and the earliest opening among those: one
    /// aggregate over the state index, for `/metrics`.
    func queueGauges() async throws -> QueueGauges
    /// One page of the queue in its order (most urgent, then longest waiting, then id), after `cursor`.
    func queuePage(after cursor: QueueCursor?, limit: Int) async throws -> [ThreadRecord]
    /// The open thread on `channel` whose survivor has waited longest, whatever its priority.
    func longestWaitingOpenThread(channel: ChannelKind) async throws -> ThreadRecord?
    /// How many threads are open and waiting (not redirected), by channel.
    func openThreadCounts() async throws -> [ChannelKind: Int]
}

/// Writes of threads: lifecycle, assignment, priority, the queue, inside one transaction.
public protocol ThreadsWriting: ThreadsReading {
    /// Inserts a new thread.
    func insert(_ thread: ThreadRecord) async throws
    /// Records activity on a thread; `inbound` also moves its reply window.
    func touchThread(id: String, at time: StoreTime, inbound: Bool) async throws
    /// Closes an open thread.
    func closeThread(id: String, at time: StoreTime) async throws
    /// Records a survivor's erase request that a hold defers.
    func markEraseRequested(threadID: String, at time: StoreTime) async throws
    /// Assigns a thread (or clears the assignment with `nil`).
    func assign(threadID: String, to accountID: String?) async throws
    /// Records the first advocate reply on a thread.
    func markFirstResponse(threadID: String, at time: StoreTime) async throws
    /// Raises a thread's priority to at least `priority`.
    func raisePriority(threadID: String, to priority: Int) async throws
    /// Records what triage decided for a thread: its language, the automatic answers it has had,
    /// and whether (since when) a redirect keeps it out of the waiting queue.
    func recordTriage(threadID: String, language: ConversationLanguage?, automaticAnswers: [String], redirectedAt: StoreTime?) async throws
    /// Puts back in the waiting queue a redirected thread (one, or with `nil` every one) that has a
    /// reply `failed` or `unknown` since its redirect: the redirect's answer may not have arrived.
    func unhideUndeliveredRedirects(threadID: String?) async throws
    /// Destroys a thread's content: deletes its messages and its wrapped data key, marks it erased.
    /// Returns the number of messages deleted, or `nil` if there is no such thread.
    func eraseThread(id: String, at time: StoreTime) async throws -> Int?
}
