import Foundation
import RelayModel
import RelayStore

/// One page of the queue.
public struct QueuePage: Sendable, Equatable {
    /// The threads, in queue order; the first page starts with each channel's longest-waiting contact.
    public var items: [QueueItem]
    /// Where the next page starts, or `nil` at the end.
    public var next: QueueCursor?
    /// How many threads are open on each channel.
    public var waiting: [ChannelKind: Int]
}

extension AdvocacyService {
    /// Largest queue page.
    public static let maximumQueuePage = 200

    /// The queue, a page at a time: open threads, most urgent and longest waiting first, no content.
    /// The first page always starts with every channel's longest-waiting contact (`pinned`), so that
    /// no flood on one channel, however urgent it claims to be, hides a person on another.
    public func queue(for identity: StaffIdentity, after cursor: QueueCursor? = nil, limit: Int = 50) async throws -> QueuePage {
        try AccessPolicy.requireWorkingRole(identity)
        let size = min(max(limit, 1), Self.maximumQueuePage)
        return try await store.read { reader in
            var pinned: [ThreadRecord] = []
            if cursor == nil {
                for channel in ChannelKind.allCases {
                    if let longest = try await reader.longestWaitingOpenThread(channel: channel) { pinned.append(longest) }
                }
            }
            let page = try await reader.queuePage(after: cursor, limit: size)
            let next = page.count == size ? page.last.map(Self.cursor(of:)) : nil
            let pinnedIDs = Set(pinned.map(\.id))
            var items: [QueueItem] = []
            for thread in pinned { items.append(try await Self.item(thread, reader: reader, pinned: true)) }
            for thread in page where !pinnedIDs.contains(thread.id) {
                items.append(try await Self.item(thread, reader: reader, pinned: false))
            }
            return QueuePage(items: items, next: next, waiting: try await reader.openThreadCounts())
        }
    }

    static func cursor(of thread: ThreadRecord) -> QueueCursor {
        QueueCursor(priority: thread.priority, waitingSince: thread.lastInboundAt ?? thread.openedAt, threadID: thread.id)
    }

    static func item(_ thread: ThreadRecord, reader: any StoreReader, pinned: Bool) async throws -> QueueItem {
        let contact = if let contactID = thread.contactID { try await reader.contact(id: contactID) } else { ContactRecord?.none }
        let assigned = if let accountID = thread.assignedTo { try await reader.account(id: accountID)?.name } else { String?.none }
        var item = QueueItem(
            threadID: thread.id, pseudonym: contact?.pseudonym ?? "—", channel: thread.channel,
            waitingSince: Date(storeTime: thread.lastInboundAt ?? thread.openedAt), priority: thread.priority, assignedTo: assigned)
        item.pinned = pinned
        item.language = thread.language
        return item
    }
}
