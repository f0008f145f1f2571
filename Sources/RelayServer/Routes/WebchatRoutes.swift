import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayCore
import RelayStore
import RelayWire

/// The survivor's webchat API. Tokens travel only in the `Authorization` header, never in a URL.
struct WebchatRoutes<Context: RequestContext> {
    let relay: Relay
    let configuration: ServerConfiguration
    let limiter: RateLimiter

    struct TokenAnswer: Encodable { let token: String }
    struct IDAnswer: Encodable { let id: String }
    struct PhraseAnswer: Encodable { let phrase: String }
    struct MessagesAnswer: Encodable { let messages: [EventStream.SurvivorMessage] }

    func register(on router: Router<Context>) {
        router.post("/chat/sessions") { _, _ in try await startSession() }
        router.post("/chat/resume") { request, _ in try await resume(request) }
        router.post("/chat/messages") { request, _ in try await send(request) }
        router.get("/chat/messages") { request, _ in try await list(request) }
        router.get("/chat/events") { request, context in try await events(request, context: context) }
        router.delete("/chat/messages/:id") { request, context in try await deleteMessage(request, context: context) }
        router.delete("/chat/session") { request, _ in try await erase(request) }
        router.post("/chat/exit") { request, _ in try await exit(request) }
        router.post("/chat/resume-phrase") { request, _ in try await issuePhrase(request) }
    }

    // MARK: - Sessions

    func startSession() async throws -> Response {
        guard await limiter.allow(scope: "global", identity: "chat-start", bucket: configuration.rateLimits.sessionStarts) else {
            throw APIError.rateLimited
        }
        let started = try await relay.startWebchatSession()
        return try RequestSupport.json(TokenAnswer(token: started.token), status: .created)
    }

    func resume(_ request: Request) async throws -> Response {
        guard await limiter.allow(scope: "global", identity: "chat-start", bucket: configuration.rateLimits.sessionStarts) else {
            throw APIError.rateLimited
        }
        let input = try RequestSupport.decodeJSON(WebchatInput.Phrase.self, from: try await RequestSupport.body(of: request, limit: WebchatInput.maximumPhraseBytes))
        do {
            let started = try await relay.resumeWebchat(phrase: input.phrase)
            return try RequestSupport.json(TokenAnswer(token: started.token), status: .created)
        } catch RelayError.unauthorized {
            throw APIError(.unauthorized, code: "unauthorized", message: "that phrase does not open a conversation")
        }
    }

    func authenticate(_ request: Request) async throws -> WebchatSession {
        let token = try RequestSupport.bearerToken(request)
        do {
            let session = try await relay.authenticateWebchat(token: token)
            guard await limiter.allow(scope: "chat", identity: session.contactID, bucket: configuration.rateLimits.perSender) else {
                throw APIError.rateLimited
            }
            return session
        } catch RelayError.unauthorized {
            throw APIError.unauthorized
        }
    }

    // MARK: - Messages

    func send(_ request: Request) async throws -> Response {
        let session = try await authenticate(request)
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else {
            throw APIError(.badRequest, code: "missing_idempotency_key", message: "send an Idempotency-Key header so a retry is stored once")
        }
        let input = try RequestSupport.decodeJSON(WebchatInput.Message.self, from: try await RequestSupport.body(of: request, limit: WebchatInput.maximumMessageBytes))
        guard input.text.count <= relay.settings.maximumWebchatCharacters else {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "a message is at most \(relay.settings.maximumWebchatCharacters) characters")
        }
        do {
            let receipt = try await relay.sendWebchat(session, text: input.text, idempotencyKey: key)
            return try RequestSupport.json(IDAnswer(id: receipt.messageID), status: .created)
        } catch let error as RelayError {
            if case .unauthorized = error { throw APIError.unauthorized }
            throw APIError(.badRequest, code: "invalid_message", message: error.description)
        }
    }

    func list(_ request: Request) async throws -> Response {
        let session = try await authenticate(request)
        let messages = try await relay.webchatMessages(session)
        return try RequestSupport.json(MessagesAnswer(messages: messages.map(Self.view)))
    }

    static func view(_ message: DecryptedMessage) -> EventStream.SurvivorMessage {
        EventStream.SurvivorMessage(id: message.id, text: message.body, direction: message.direction, at: message.createdAt)
    }

    func deleteMessage(_ request: Request, context: Context) async throws -> Response {
        let session = try await authenticate(request)
        guard let id = context.parameters.get("id"), id.count <= 64 else { throw APIError.notFound }
        guard try await relay.deleteWebchatMessage(session, messageID: id) else { throw APIError.notFound }
        return RequestSupport.noContent
    }

    func erase(_ request: Request) async throws -> Response {
        let session = try await authenticate(request)
        _ = try await relay.eraseWebchatConversation(session)
        return RequestSupport.noContent
    }

    func exit(_ request: Request) async throws -> Response {
        let session = try await authenticate(request)
        try await relay.endWebchatSession(session)
        return RequestSupport.noContent
    }

    func issuePhrase(_ request: Request) async throws -> Response {
        let session = try await authenticate(request)
        let phrase = try await relay.createResumePhrase(session)
        return try RequestSupport.json(PhraseAnswer(phrase: phrase), status: .created)
    }

    // MARK: - Live events

    /// Server-sent events of the survivor's conversation: `message`, `deleted` and `erased`.
    func events(_ request: Request, context: Context) async throws -> Response {
        let session = try await authenticate(request)
        return try await EventStream.response(events: relay.events, channel: session.contactID)
    }
}
