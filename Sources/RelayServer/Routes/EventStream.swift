import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore
import RelayModel
import ServiceLifecycle

/// Server-sent events from a `LiveEvents` channel, with a comment line every 15 seconds so that
/// proxies keep the stream open; the subscription ends when the client goes away.
enum EventStream {
    struct IDFrame: Encodable { let id: String }
    /// A message as the survivor's page shows it (`from` is `me` or `advocate`).
    struct SurvivorMessage: Encodable {
        let id: String
        let text: String
        let from: String
        let at: String

        init(id: String, text: String, direction: MessageDirection, at: Date) {
            self.id = id
            self.text = text
            self.from = direction == .inbound ? "me" : "advocate"
            self.at = at.rfc3339
        }
    }
    struct ThreadFrame: Encodable { let thread: String }
    struct ReplyFrame: Encodable {
        let thread: String
        let message: String
        let state: String
    }
    /// For supervisors: an access outside the reader's assignment.
    struct AccessFrame: Encodable {
        let thread: String
        let actor: String
        let action: String
        let purpose: String
    }

    /// A stream of `channel`'s events for `session`. It ends when the client goes away, when the
    /// session ends in this process (``LiveEvents/endSession(_:)``), at graceful shutdown, and when
    /// `isLive`, asked every `recheckEvery`, says the session no longer stands (ended elsewhere,
    /// expired, account disabled). A store that cannot say (`nil`: busy, out of reach) does not end
    /// the session's streams: the stream goes on for `unknownLimit` after the last answer, then
    /// closes without saying the session ended, so that the client reconnects.
    static func response(
        events: LiveEvents, channel: String, session: String, recheckEvery: Duration, unknownLimit: Duration,
        shows: @escaping @Sendable (LiveEvent) -> Bool = { _ in true },
        onEnd: @escaping @Sendable () -> Void = {},
        isLive: @escaping @Sendable () async -> Bool?
    ) async throws -> Response {
        guard let (subscription, stream) = await events.subscribe(contactID: channel, session: session) else {
            onEnd()
            throw APIError(.tooManyRequests, code: "rate_limited", message: "too many open event streams")
        }
        // The session may have ended between authentication and subscribing (a quick exit in
        // flight): look once more now that an ending would reach this stream.
        switch await isLive() {
        case true?:
            break
        case false?:
            await events.unsubscribe(contactID: channel, id: subscription)
            onEnd()
            throw APIError.unauthorized
        case nil:
            await events.unsubscribe(contactID: channel, id: subscription)
            onEnd()
            throw APIError(.serviceUnavailable, code: "unavailable", message: "the store is busy; try again in a moment")
        }
        // Released with the response: if the client went away before the body ever ran (the
        // framework then never calls it), the subscription still ends.
        let subscriptionGuard = SubscriptionGuard(events: events, channel: channel, id: subscription, onEnd: onEnd)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        let body = ResponseBody { writer in
            _ = subscriptionGuard
            let (frames, output) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(128))
            output.yield(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
            let forwarder = Task {
                for await event in stream where shows(event) { output.yield(ByteBuffer(string: frame(event))) }
                output.finish()
            }
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(15))
                    output.yield(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
            let recheck = Task {
                var lastAnswer = ContinuousClock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: recheckEvery)
                    if Task.isCancelled { return }
                    let live = await isLive()
                    if live == nil {
                        // Unknown for a while: close this stream only (the client reconnects).
                        if ContinuousClock.now - lastAnswer > unknownLimit {
                            output.finish()
                            return
                        }
                        continue
                    }
                    lastAnswer = ContinuousClock.now
                    if live == false {
                        // An ending that also publishes (an erase) gets a moment to deliver its own frame.
                        try? await Task.sleep(for: .milliseconds(100))
                        output.yield(ByteBuffer(string: "event: ended\ndata: {}\n\n"))
                        await events.endSession(session)
                        output.finish()
                        return
                    }
                }
            }
            // A graceful shutdown ends open streams, so that the server can stop.
            await withGracefulShutdownHandler {
                do {
                    for await frame in frames { try await writer.write(frame) }
                } catch {
                    // The client went away.
                }
            } onGracefulShutdown: {
                output.finish()
            }
            forwarder.cancel()
            heartbeat.cancel()
            recheck.cancel()
            await events.unsubscribe(contactID: channel, id: subscription)
            try? await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Ends a subscription when the last reference to it goes, whatever happened to the response.
    final class SubscriptionGuard: Sendable {
        let events: LiveEvents
        let channel: String
        let id: UUID
        let onEnd: @Sendable () -> Void

        init(events: LiveEvents, channel: String, id: UUID, onEnd: @escaping @Sendable () -> Void) {
            self.events = events
            self.channel = channel
            self.id = id
            self.onEnd = onEnd
        }

        deinit {
            onEnd()
            let (events, channel, id) = (self.events, self.channel, self.id)
            Task { await events.unsubscribe(contactID: channel, id: id) }
        }
    }

    static func frame(_ event: LiveEvent) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func line(_ name: String, _ value: some Encodable) -> String {
            let data = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return "event: \(name)\ndata: \(data)\n\n"
        }
        switch event {
        case .message(let id, let from, let text, let at):
            return line("message", SurvivorMessage(id: id, text: text, direction: from, at: at))
        case .deleted(let id):
            return line("deleted", IDFrame(id: id))
        case .erased:
            return "event: erased\ndata: {}\n\n"
        case .threadMessage(let thread):
            return line("thread.message", ThreadFrame(thread: thread))
        case .queueChanged(let thread):
            return line("queue.changed", ThreadFrame(thread: thread))
        case .replyStatus(let thread, let message, let state):
            return line("reply.status", ReplyFrame(thread: thread, message: message, state: state))
        case .access(let thread, let actor, let action, let purpose):
            return line("thread.access", AccessFrame(thread: thread, actor: actor, action: action, purpose: purpose))
        }
    }
}
