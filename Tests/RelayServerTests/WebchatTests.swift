import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
@testable import RelayCore
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// The webchat end to end over HTTP on loopback.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct WebchatTests {
    struct Messages: Decodable {
        struct Message: Decodable {
            let id: String
            let text: String
            let from: String
            let at: String
        }
        let messages: [Message]
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body.utf8))
    }

    @Test func startSendReceiveLiveDeleteEraseAndTheTokenIsUselessAfterwards() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            #expect(token.count == 43)

            let sent = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"I am scared"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            #expect(sent.0 == .created)
            let id = try Self.decode([String: String].self, sent.1)["id"]!
            // A retried send with the same key is stored once.
            let retried = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"I am scared"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            #expect(try Self.decode([String: String].self, retried.1)["id"] == id)

            // Open the live stream, then an advocate replies: the reply arrives on the stream.
            let stream = try await LiveStream.open(port: server.client.port!, token: token)
            let threadID = try await server.store.read { reader in try await reader.message(id: id)!.threadID }
            let reply = try await server.relay.outbox.queueReply(threadID: threadID, text: "You are safe to talk here.")
            let frame = try await stream.next(containing: "event: message")
            #expect(frame.contains("You are safe to talk here."))
            #expect(frame.contains(#""from":"advocate""#))
            #expect(frame.contains(reply.messageID))
            #expect(reply.outboxState == nil)

            let list = try Self.decode(Messages.self, try await server.chat(.get, "/chat/messages", token: token).1)
            #expect(list.messages.map(\.from) == ["me", "advocate"])
            #expect(list.messages.map(\.text) == ["I am scared", "You are safe to talk here."])

            // Delete one message.
            #expect(try await server.chat(.delete, "/chat/messages/\(id)", token: token).0 == .noContent)
            #expect(try await server.chat(.delete, "/chat/messages/\(id)", token: token).0 == .notFound)
            let after = try Self.decode(Messages.self, try await server.chat(.get, "/chat/messages", token: token).1)
            #expect(after.messages.map(\.text) == ["You are safe to talk here."])
            #expect(try await stream.next(containing: "event: deleted").contains(id))

            // Erase everything: the stream ends, the token no longer works, nothing opens.
            #expect(try await server.chat(.delete, "/chat/session", token: token).0 == .noContent)
            #expect(try await stream.next(containing: "event: erased").contains("erased"))
            #expect(try await server.chat(.get, "/chat/messages", token: token).0 == .unauthorized)
            #expect(try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"x"}"#, headers: ["Idempotency-Key": "key-0002-abcdef"]).0 == .unauthorized)
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: threadID) }
            await stream.close()
        }
    }

    @Test func quickExitEndsTheSessionAndAResumePhraseContinuesTheConversation() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            _ = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"my story, told once"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            let issued = try await server.chat(.post, "/chat/resume-phrase", token: token)
            #expect(issued.0 == .created)
            let phrase = try Self.decode([String: String].self, issued.1)["phrase"]!
            #expect(phrase.split(separator: "-").count == 5)

            #expect(try await server.chat(.post, "/chat/exit", token: token).0 == .noContent)
            #expect(try await server.chat(.get, "/chat/messages", token: token).0 == .unauthorized)

            let wrong = try await server.chat(.post, "/chat/resume", token: nil, json: #"{"phrase":"babab-babab-babab-babab-babab"}"#)
            #expect(wrong.0 == .unauthorized)
            #expect(try await server.chat(.post, "/chat/resume", token: nil, json: #"{"phrase":"nonsense"}"#).0 == .unauthorized)

            // Typed differently (case, spaces) on another device.
            let typed = phrase.uppercased().replacingOccurrences(of: "-", with: " ")
            let resumed = try await server.chat(.post, "/chat/resume", token: nil, json: #"{"phrase":"\#(typed)"}"#)
            #expect(resumed.0 == .created)
            let newToken = try Self.decode([String: String].self, resumed.1)["token"]!
            #expect(newToken != token)
            let list = try Self.decode(Messages.self, try await server.chat(.get, "/chat/messages", token: newToken).1)
            #expect(list.messages.map(\.text) == ["my story, told once"])
        }
    }

    @Test func badInputGetsClearErrors() async throws {
        try await RelayTestServer.run { server in
            #expect(try await server.chat(.get, "/chat/messages", token: nil).0 == .unauthorized)
            #expect(try await server.chat(.get, "/chat/messages", token: "not-a-token").0 == .unauthorized)
            #expect(try await server.chat(.get, "/chat/messages", token: String(repeating: "A", count: 43)).0 == .unauthorized)
            let token = try await server.startChat()
            let longText = String(repeating: "x", count: 4_001)
            let tooLong = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"\#(longText)"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            #expect(tooLong.0 == .contentTooLarge)
            #expect(tooLong.1.contains(#""error":"payload_too_large""#))
            let malformed = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text": 5"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            #expect(malformed.0 == .badRequest)
            #expect(malformed.1.contains(#""error":"malformed_json""#))
            let noKey = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"hi"}"#)
            #expect(noKey.0 == .badRequest)
            let empty = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"   "}"#, headers: ["Idempotency-Key": "key-0003-abcdef"])
            #expect(empty.0 == .badRequest)
            let huge = try await server.chat(.post, "/chat/messages", token: token, json: String(repeating: " ", count: 40_000) + "{}", headers: ["Idempotency-Key": "key-0004-abcdef"])
            #expect(huge.0 == .contentTooLarge)
            #expect(try await server.chat(.delete, "/chat/messages/\(String(repeating: "f", count: 32))", token: token).0 == .notFound)
            let list = try Self.decode(Messages.self, try await server.chat(.get, "/chat/messages", token: token).1)
            #expect(list.messages.isEmpty)
        }
    }

    @Test func aLateRetryOfADeletedMessageDoesNotBringItBack() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            let sent = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"regret this"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            let id = try Self.decode([String: String].self, sent.1)["id"]!
            #expect(try await server.chat(.delete, "/chat/messages/\(id)", token: token).0 == .noContent)
            let retried = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"regret this"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            #expect(retried.0 == .created)
            #expect(try Self.decode(Messages.self, try await server.chat(.get, "/chat/messages", token: token).1).messages.isEmpty)
        }
    }

    @Test func openEventStreamsAreCappedPerConversation() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            var streams: [LiveStream] = []
            for _ in 0..<LiveEvents.maximumPerChannel { streams.append(try await LiveStream.open(port: server.client.port!, token: token)) }
            let (status, _) = try await server.chat(.get, "/chat/events", token: token)
            #expect(status == .tooManyRequests)
            for stream in streams { await stream.close() }
        }
    }

    @Test func anotherSessionCannotTouchMyMessages() async throws {
        try await RelayTestServer.run { server in
            let mine = try await server.startChat()
            let theirs = try await server.startChat()
            let sent = try await server.chat(.post, "/chat/messages", token: mine, json: #"{"text":"private"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            let id = try Self.decode([String: String].self, sent.1)["id"]!
            #expect(try await server.chat(.delete, "/chat/messages/\(id)", token: theirs).0 == .notFound)
            #expect(try Self.decode(Messages.self, try await server.chat(.get, "/chat/messages", token: theirs).1).messages.isEmpty)
            #expect(try Self.decode(Messages.self, try await server.chat(.get, "/chat/messages", token: mine).1).messages.count == 1)
        }
    }

    @Test func floodsGet429PerSessionAndGlobally() async throws {
        var limits = RateLimits()
        limits.perSender = .init(perSecond: 0.001, burst: 5)
        limits.sessionStarts = .init(perSecond: 0.001, burst: 3)
        try await RelayTestServer.run(rateLimits: limits) { server in
            let token = try await server.startChat()
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<8 { statuses.append(try await server.chat(.get, "/chat/messages", token: token).0) }
            #expect(statuses.prefix(5).allSatisfy { $0 == .ok })
            #expect(statuses.suffix(3).allSatisfy { $0 == .tooManyRequests })
            var starts: [HTTPResponse.Status] = []
            for _ in 0..<3 { starts.append(try await server.chat(.post, "/chat/sessions", token: nil).0) }
            #expect(starts == [.created, .created, .tooManyRequests])
        }
    }

    @Test func theWebchatReplyWindowClosesWithTheSession() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            let sent = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"hi"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            let id = try Self.decode([String: String].self, sent.1)["id"]!
            let threadID = try await server.store.read { reader in try await reader.message(id: id)!.threadID }
            #expect(try await server.chat(.post, "/chat/exit", token: token).0 == .noContent)
            await #expect(throws: ReplyRefusal.windowClosed) { try await server.relay.outbox.queueReply(threadID: threadID, text: "hello?") }
        }
    }

    @Test func thePageIsNeutralSelfContainedAndUncached() async throws {
        try await RelayTestServer.run { server in
            try await server.client.execute(uri: "/chat", method: .get) { response in
                #expect(response.status == .ok)
                let csp = response.headers[.contentSecurityPolicy] ?? ""
                #expect(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[.setCookie] == nil)
                let html = String(buffer: response.body)
                #expect(html.contains("<title>Chat</title>"))
                // The quick exit is the first focusable element, and the exit URL is the configured neutral site.
                let firstControl = html.range(of: "<button")!.lowerBound
                #expect(html[firstControl...].hasPrefix(#"<button id="exit""#))
                #expect(html.contains(#"data-exit-url="https://weather.example.com/""#))
                #expect(!html.contains("<script>") && !html.contains("style="))
                for external in ["http://", "https://cdn", "//fonts", "googleapis"] where external != "https://weather" {
                    #expect(!html.replacingOccurrences(of: "https://weather.example.com/", with: "").contains(external))
                }
            }
            try await server.client.execute(uri: "/chat/app.js", method: .get) { response in
                let script = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
                #expect(!script.contains("localStorage") && !script.contains("document.cookie") && !script.contains("sessionStorage"))
                #expect(script.contains("location.replace"))
                #expect(script.contains(#"e.key === "Escape""#))
                #expect(script.contains("Borrar esta conversación"))
            }
        }
    }
}

/// Reads server-sent events from `/chat/events` over a real connection.
final class LiveStream: Sendable {
    let frames: AsyncStream<String>
    private let task: Task<Void, Never>
    private let iterator: IteratorBox

    final class IteratorBox: @unchecked Sendable {
        var iterator: AsyncStream<String>.Iterator
        init(_ iterator: AsyncStream<String>.Iterator) { self.iterator = iterator }
    }

    private init(frames: AsyncStream<String>, task: Task<Void, Never>) {
        self.frames = frames
        self.task = task
        self.iterator = IteratorBox(frames.makeAsyncIterator())
    }

    static func open(port: Int, token: String, path: String = "/chat/events") async throws -> LiveStream {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw TestFailure("stream refused: \(response.status.code)") }
        let (frames, continuation) = AsyncStream.makeStream(of: String.self)
        let task = Task {
            var buffer = ""
            do {
                for try await chunk in response.body {
                    buffer += String(buffer: chunk)
                    while let cut = buffer.range(of: "\n\n") {
                        continuation.yield(String(buffer[..<cut.lowerBound]))
                        buffer = String(buffer[cut.upperBound...])
                    }
                }
            } catch {}
            continuation.finish()
        }
        let stream = LiveStream(frames: frames, task: task)
        _ = try await stream.next(containing: ": connected")
        return stream
    }

    /// The next frame containing `text` (bounded by 10 seconds).
    func next(containing text: String) async throws -> String {
        let box = iterator
        return try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                while let frame = await box.iterator.next() {
                    if frame.contains(text) { return frame }
                }
                return "<stream ended>"
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return "<timeout>"
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    /// Every frame up to and including the first containing `text` (bounded by 10 seconds; the
    /// last element is `<stream ended>` or `<timeout>` if it never came).
    func frames(through text: String) async throws -> [String] {
        let box = iterator
        return try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var seen: [String] = []
                while let frame = await box.iterator.next() {
                    seen.append(frame)
                    if frame.contains(text) { return seen }
                }
                return seen + ["<stream ended>"]
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return ["<timeout>"]
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    func close() async {
        task.cancel()
    }
}
