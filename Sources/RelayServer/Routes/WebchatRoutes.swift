import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayCore
import RelayWire

/// The survivor's webchat API. Tokens travel only in the `Authorization` header, never in a URL.
///
/// Deleting (one message, the whole conversation) and quick exit are never refused for rate
/// reasons: they spend no token of any bucket.
struct WebchatRoutes {
    typealias Context = RelayRequestContext
    let relay: Relay
    let configuration: ServerConfiguration
    let limiter: RateLimiter
    let erasures = RecentErasures()
    /// Open streams per client.
    let streams: ClientCounts

    struct TokenAnswer: Encodable { let token: String }
    /// A resume's answer: the session, and the phrase that replaces the one just used.
    struct ResumeAnswer: Encodable {
        let token: String
        let phrase: String
    }
    struct IDAnswer: Encodable { let id: String }
    struct PhraseAnswer: Encodable { let phrase: String }
    struct MessagesAnswer: Encodable { let messages: [EventStream.SurvivorMessage] }
    struct EraseAnswer: Encodable {
        let status: String
        let message: String
    }

    func register(on router: Router<Context>) {
        router.post("/chat/sessions") { request, context in try await startSession(request, context: context) }
        router.post("/chat/resume") { request, context in try await resume(request, context: context) }
        // The session is judged before anything else is read. Sending, reading, streams and phrases
        // spend a token of the session's bucket; deleting and quick exit spend none.
        func group(_ mode: SurvivorAuthenticator.Mode) -> RouterGroup<Context> {
            router.group("/chat").add(middleware: SurvivorAuthenticator(
                relay: relay, mode: mode, limiter: limiter, bucket: configuration.rateLimits.perSender))
        }
        let limited = group(.limited)
        limited.post("messages") { request, context in try await send(request, context: context) }
        limited.get("messages") { _, context in try await list(context: context) }
        limited.get("events") { request, context in try await events(request, context: context) }
        limited.post("resume-phrase") { request, context in try await issuePhrase(request, context: context) }
        let unlimited = group(.unlimited)
        unlimited.delete("messages/:id") { _, context in try await deleteMessage(context: context) }
        unlimited.post("exit") { _, context in try await exit(context: context) }
        group(.erase).delete("session") { _, context in try await erase(context: context) }
    }

    // MARK: - Sessions

    func startSession(_ request: Request, context: Context) async throws -> Response {
        let limits = configuration.rateLimits
        try await RequestSupport.admit(
            request, context, configuration, limiter: limiter, kind: "start", perClient: limits.perClientStarts, overall: limits.sessionStarts)
        let started = try await relay.webchat.start()
        return try RequestSupport.json(TokenAnswer(token: started.token), status: .created)
    }

    func resume(_ request: Request, context: Context) async throws -> Response {
        let limits = configuration.rateLimits
        try await RequestSupport.admit(
            request, context, configuration, limiter: limiter, kind: "resume", perClient: limits.perClientResumes, overall: limits.resumes)
        let input = try RequestSupport.decodeJSON(WebchatInput.Phrase.self, from: try await RequestSupport.body(of: request, limit: WebchatInput.maximumPhraseBytes))
        let started = try await ErrorTable.during(.resume) { try await relay.webchat.resume(phrase: input.phrase) }
        return try RequestSupport.json(ResumeAnswer(token: started.token, phrase: started.nextPhrase ?? ""), status: .created)
    }

    // MARK: - Messages

    func send(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSurvivor()
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else {
            throw APIError(.badRequest, code: "missing_idempotency_key", message: "send an Idempotency-Key header so a retry is stored once")
        }
        let input = try RequestSupport.decodeJSON(WebchatInput.Message.self, from: try await RequestSupport.body(of: request, limit: WebchatInput.maximumMessageBytes))
        guard input.text.count <= relay.settings.maximumWebchatCharacters else {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "a message is at most \(relay.settings.maximumWebchatCharacters) characters")
        }
        // Webchat counts in the same global inbound limit as SMS, but may use only its share of it.
        let limits = configuration.rateLimits
        let share = RateLimits.Bucket(perSecond: limits.global.perSecond * limits.webchatShare, burst: limits.global.burst * limits.webchatShare)
        guard await limiter.allow(scope: "global", identity: "webchat-share", bucket: share),
            await limiter.allow(scope: "global", identity: "inbound", bucket: limits.global)
        else { throw APIError.rateLimited }
        let receipt = try await ErrorTable.during(.inboundMessage) { try await relay.webchat.send(session, text: input.text, idempotencyKey: key) }
        return try RequestSupport.json(IDAnswer(id: receipt.messageID), status: .created)
    }

    func list(context: Context) async throws -> Response {
        let session = try context.requireSurvivor()
        let messages = try await relay.webchat.messages(session)
        return try RequestSupport.json(MessagesAnswer(messages: messages.map(Self.view)))
    }

    static func view(_ message: DecryptedMessage) -> EventStream.SurvivorMessage {
        EventStream.SurvivorMessage(id: message.id, text: message.body, direction: message.direction, at: message.createdAt)
    }

    func deleteMessage(context: Context) async throws -> Response {
        let session = try context.requireSurvivor()
        guard let id = context.parameters.get("id"), id.count <= 64 else { throw APIError.notFound }
        guard try await relay.webchat.deleteMessage(session, messageID: id) else { throw APIError.notFound }
        return RequestSupport.noContent
    }

    /// Erases the conversation: 204 when everything is gone; 202 with a plain explanation when a
    /// legal hold keeps part of it for now (the session ends either way).
    /// A retry whose first attempt succeeded (its answer lost on the way) gets the same answer again.
    /// A session that has only idled out may still erase.
    func erase(context: Context) async throws -> Response {
        guard let session = context.survivor else {
            guard let key = context.endedSurvivorSession, let deferred = await erasures.outcome(session: key) else { throw APIError.unauthorized }
            return try Self.eraseAnswer(deferred: deferred)
        }
        await erasures.begin(session: session.streamKey)
        do {
            let erasure = try await relay.webchat.eraseConversation(session)
            await erasures.finish(session: session.streamKey, deferred: erasure.isDeferred)
            return try Self.eraseAnswer(deferred: erasure.isDeferred)
        } catch {
            await erasures.fail(session: session.streamKey)
            throw error
        }
    }

    static func eraseAnswer(deferred: Bool) throws -> Response {
        guard deferred else { return RequestSupport.noContent }
        return try RequestSupport.json(
            EraseAnswer(status: "deferred", message: "part of this conversation must be kept for now; it will be deleted as soon as that ends"),
            status: .accepted)
    }

    func exit(context: Context) async throws -> Response {
        let session = try context.requireSurvivor()
        try await relay.webchat.end(session)
        return RequestSupport.noContent
    }

    /// A phrase costs an Argon2id hash: one client gets as many as it gets resume attempts.
    func issuePhrase(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSurvivor()
        let limits = configuration.rateLimits
        try await RequestSupport.admit(
            request, context, configuration, limiter: limiter, kind: "phrase", perClient: limits.perClientResumes, overall: limits.resumes)
        let phrase = try await relay.webchat.createResumePhrase(session)
        return try RequestSupport.json(PhraseAnswer(phrase: phrase), status: .created)
    }

    // MARK: - Live events

    /// Server-sent events of the survivor's conversation: `message`, `deleted` and `erased`. The
    /// stream ends at once when its session ends here (quick exit, erase), and within
    /// ``ServerConfiguration/webchatStreamRecheck`` when it ends any other way (idle expiry).
    /// One client holds at most ``ServerConfiguration/maximumStreamsPerClient`` streams, whatever
    /// number of sessions it starts: the page retries a refused stream with backoff.
    func events(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireSurvivor()
        let client = RequestSupport.client(request, context, configuration)
        let streams = self.streams
        guard streams.open(client) else { throw APIError(.tooManyRequests, code: "rate_limited", message: "too many open event streams") }
        let relay = self.relay
        return try await EventStream.response(
            events: relay.events, channel: session.contactID, session: session.streamKey, recheckEvery: configuration.webchatStreamRecheck,
            unknownLimit: configuration.streamUnknownLimit,
            onEnd: { streams.close(client) }
        ) { await relay.webchat.isLive(session) }
    }
}
