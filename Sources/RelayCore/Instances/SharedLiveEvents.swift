import Foundation
import Logging
import RelayModel
import RelayStore

/// Live events across the relay instances that share one store (PostgreSQL): what one instance
/// publishes reaches the streams open on every other. Each instance broadcasts kinds and ids (never
/// content) after its write committed and listens on a connection of its own; for a message it
/// reads and decrypts the message itself. When the listening connection was lost, nothing is
/// replayed, so on its return it reads what changed meanwhile: the messages of every conversation
/// with a stream open here, and the queue for advocates' streams.
///
/// On a store no other instance shares (SQLite), ``run()`` returns at once and events stay local.
public struct SharedLiveEvents: RelayService {
    let context: RelayContext

    /// How far before a lost connection was noticed the catch-up read starts.
    static let catchUpMargin: TimeInterval = 30

    /// Sends and receives until the task is cancelled.
    public func run() async {
        guard store.isShared else { return }
        let instance = UUID().uuidString
        let outbox = LiveEventOutbox()
        await events.relayOutgoing(to: outbox)
        let incoming = store.broadcasts()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await send(outbox, as: instance) }
            group.addTask { await receive(incoming, skipping: instance) }
            await group.next()
            group.cancelAll()
        }
        outbox.finish()
    }

    private func send(_ outbox: LiveEventOutbox, as instance: String) async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for await _ in outbox.wakeups {
            let notices = outbox.takeAll().map(LiveEventNotice.init)
            for start in stride(from: 0, to: notices.count, by: LiveEventBatch.maximumNotices) {
                let batch = LiveEventBatch(
                    instance: instance, notices: Array(notices[start..<min(start + LiveEventBatch.maximumNotices, notices.count)]))
                guard let data = try? encoder.encode(batch), data.count <= LiveEventBatch.maximumPayload else { continue }
                await store.broadcast(String(decoding: data, as: UTF8.self))
            }
        }
    }

    private func receive(_ incoming: AsyncStream<StoreBroadcast>, skipping instance: String) async {
        let decoder = JSONDecoder()
        var lostAt: StoreTime?
        for await broadcast in incoming {
            switch broadcast {
            case .payload(let text):
                guard text.utf8.count <= LiveEventBatch.maximumPayload,
                    let batch = try? decoder.decode(LiveEventBatch.self, from: Data(text.utf8)), batch.instance != instance
                else { continue }
                for notice in batch.notices { await deliver(notice) }
            case .interrupted:
                if lostAt == nil { lostAt = clock.now().addingTimeInterval(-Self.catchUpMargin).storeTime }
                logger.warning("live events from other instances interrupted; reconnecting")
            case .resumed:
                if let since = lostAt { await catchUp(since: since) }
                lostAt = nil
                logger.notice("live events from other instances resumed")
            }
        }
    }

    /// Hands one notice to this instance's streams. A notice is not trusted further than the store
    /// itself says: anyone who may connect to the database can `NOTIFY`, so a message goes only to
    /// the streams of the contact whose thread holds it (never to advocates' streams, which get ids),
    /// and content kinds never to the advocates' channel.
    func deliver(_ notice: LiveEventNotice) async {
        let contentKinds: Set<String> = ["message", "deleted", "erased"]
        if contentKinds.contains(notice.kind) && notice.channel == LiveEvents.staffChannel { return }
        if !contentKinds.contains(notice.kind) && notice.kind != "session" && notice.channel != LiveEvents.staffChannel { return }
        switch notice.kind {
        case "session":
            await events.endSessionHere(notice.channel)
        case "message":
            guard let id = notice.id, let message = try? await readMessage(id: id, of: notice.channel) else { return }
            await events.deliver(message, to: notice.channel)
        case "deleted":
            // Only what the store no longer has is said to be gone.
            guard let id = notice.id, (try? await store.read({ try await $0.message(id: id) })) == .some(nil) else { return }
            await events.deliver(.deleted(id: id), to: notice.channel)
        case "erased":
            let contactID = notice.channel
            let erased = try? await store.read { reader -> Bool in
                guard try await reader.contact(id: contactID) != nil else { return true }
                return try await reader.threads(contactID: contactID).allSatisfy { $0.key == nil }
            }
            guard erased == true else { return }
            await events.deliver(.erased, to: contactID)
        default:
            if let event = notice.event { await events.deliver(event, to: notice.channel) }
        }
    }

    /// A stored message of `contactID`'s as a live event (`nil` if it has gone meanwhile, or if its
    /// thread is not that contact's).
    private func readMessage(id: String, of contactID: String) async throws -> LiveEvent? {
        let found = try await store.read { reader -> (MessageRecord, ThreadRecord)? in
            guard let message = try await reader.message(id: id), let thread = try await reader.thread(id: message.threadID),
                thread.contactID == contactID
            else { return nil }
            return (message, thread)
        }
        guard let (message, thread) = found, let opened = try sealing.open([message], of: thread).first else { return nil }
        return .message(id: opened.id, from: opened.direction, text: opened.body, at: opened.createdAt)
    }

    /// After a gap: the messages since `since` of every conversation with a stream open here (the
    /// survivor's page shows each message once, whatever arrives twice), and for advocates' streams
    /// every open thread active since then, then the queue as a whole.
    func catchUp(since: StoreTime) async {
        for channel in await events.subscribedChannels {
            if channel == LiveEvents.staffChannel {
                guard let threads = try? await store.read({ try await $0.openThreads(limit: 1_000) }) else { continue }
                for thread in threads where thread.lastActivityAt >= since {
                    await events.deliver(.queueChanged(threadID: thread.id), to: channel)
                }
                await events.deliver(.queueChanged(threadID: ""), to: channel)
                continue
            }
            guard let threads = try? await store.read({ try await $0.threads(contactID: channel) }) else { continue }
            for thread in threads where thread.key != nil && thread.lastActivityAt >= since {
                guard let records = try? await store.read({ try await $0.messages(threadID: thread.id) }),
                    let opened = try? sealing.open(records.filter { $0.createdAt >= since }, of: thread)
                else { continue }
                for message in opened {
                    await events.deliver(.message(id: message.id, from: message.direction, text: message.body, at: message.createdAt), to: channel)
                }
            }
        }
    }
}
