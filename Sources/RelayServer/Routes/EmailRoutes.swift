import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayChannels
import RelayCore
import RelayWire

/// Email intake, `POST /email/inbound`: Mailgun's inbound route (`forward()`), as a form or
/// multipart body. Its signature (HMAC-SHA256 over timestamp and a one-time token) and the
/// timestamp's age are checked before any field is used; then only the sender (a keyed hash to
/// thread, the address sealed to reply), the subject and the stripped text are kept, sealed.
/// Headers, other addresses, IP addresses, spam verdicts, HTML and raw MIME are dropped unread;
/// attachments are dropped unread and the advocate is told.
struct EmailRoutes {
    typealias Context = RelayRequestContext
    let relay: Relay
    let configuration: ServerConfiguration
    let limiter: RateLimiter
    let metrics: RelayMetrics
    let validator: MailgunWebhookValidator?
    let refusals = NoticeThrottle()

    /// Largest webhook body accepted (an email with attachments comes whole; they are dropped).
    static let maximumBodyBytes = 4 * 1024 * 1024

    init(relay: Relay, configuration: ServerConfiguration, limiter: RateLimiter, metrics: RelayMetrics) {
        self.relay = relay
        self.configuration = configuration
        self.limiter = limiter
        self.metrics = metrics
        self.validator = configuration.mailgun.map { MailgunWebhookValidator(signingKey: $0.signingKey, tolerance: $0.timestampTolerance) }
    }

    struct InboundAnswer: Encodable {
        let stored: Bool
        let attachments_dropped: Int
    }

    /// The keywords email honours: the erase words, `STOP` and `UNSUBSCRIBE`, `START`; the whole
    /// text, or the subject only when there is no text (a subject "Stop" over a letter is a letter).
    static func keyword(text: String, subject: String, settings: RelaySettings) -> SMSKeyword? {
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let candidate = body.isEmpty ? subject : body
        let word = candidate.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        if settings.eraseKeywords.contains(word) { return .erase }
        if ["STOP", "UNSUBSCRIBE"].contains(word) { return .optOut }
        if word == "START" { return .optIn }
        return nil
    }

    func register(on router: Router<Context>) {
        router.post("/email/inbound") { request, context in try await inbound(request, context: context) }
    }

    func inbound(_ request: Request, context: Context) async throws -> Response {
        guard let validator else {
            throw APIError(.serviceUnavailable, code: "email_not_configured", message: "no email provider is configured")
        }
        let forbidden = APIError(.forbidden, code: "forbidden", message: "missing or invalid webhook signature")
        let buffer = try await RequestSupport.body(of: request, limit: Self.maximumBodyBytes)
        let bytes = Array(buffer.readableBytesView)
        // The signature is inside the body: a body that cannot be read cannot be checked, and is
        // answered like a forged one.
        let contentType = request.headers[.contentType] ?? ""
        let boundary = MultipartForm.boundary(contentType: contentType)
        guard boundary != nil || contentType.isEmpty || contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "expected a form or multipart body")
        }
        let parsed: MultipartForm.Parsed
        do {
            if let boundary {
                parsed = try MultipartForm.parse(bytes, boundary: boundary)
            } else {
                parsed = MultipartForm.Parsed(fields: try FormBody.parse(bytes), fileCount: 0)
            }
        } catch {
            refusals.notice("email webhook refused", reason: "unreadable body", logger: context.logger)
            throw forbidden
        }
        let fields = parsed.fields
        do {
            try validator.check(
                timestamp: fields.first("timestamp"), token: fields.first("token"), signature: fields.first("signature"), now: relay.clock.now())
        } catch {
            refusals.notice("email webhook refused", reason: error == .stale ? "stale timestamp" : "bad signature", logger: context.logger)
            throw forbidden
        }
        // Only now are the fields read. What can never be stored is answered 406, which Mailgun
        // takes as final (any other refusal it retries for hours).
        guard let sender = fields.first("sender"), let address = try? ContactAddress.email(sender) else {
            throw APIError(.notAcceptable, code: "missing_field", message: "sender is missing or not an email address")
        }
        let subject = fields.first("subject") ?? ""
        let text = fields.first("stripped-text") ?? fields.first("body-plain") ?? ""
        let messageID = fields.first("Message-Id") ?? fields.first("message-id")
        guard subject.count <= 998, messageID.map({ (1...998).contains($0.count) }) ?? true else {
            throw APIError(.notAcceptable, code: "invalid_field", message: "subject or Message-Id is too long")
        }
        // Read, never stored: whether the provider verified the sender, and whether a machine sent it.
        let headers = EmailHeaders(fields: fields)
        let declared = fields.first("attachment-count").flatMap { Int($0) } ?? 0
        let dropped = max(parsed.fileCount, min(max(declared, 0), 1000))
        if dropped > 0 { metrics.count("saferelay_email_attachments_dropped_total") }
        // ERASE, STOP and START as the whole text (or the subject of a mail with no text), from a
        // verified sender only (anyone can write a survivor's address as the sender): acted on before
        // any rate limit (an erase is never refused for rate reasons), nothing stored or sent back.
        // The webhook's one-time token is the delivery id, so a captured signature replayed with
        // another sender acts on nothing.
        if headers.senderVerified, let keyword = Self.keyword(text: text, subject: subject, settings: relay.settings), let token = fields.first("token") {
            _ = try await relay.intake.handleEmailKeyword(keyword, from: address, deliveryID: "webhook-token:" + token)
            return try RequestSupport.json(InboundAnswer(stored: false, attachments_dropped: dropped))
        }
        guard await limiter.allow(scope: "global", identity: "inbound", bucket: configuration.rateLimits.global),
            await limiter.allow(scope: "email", identity: address.normalised, bucket: configuration.rateLimits.perSender)
        else { throw APIError.rateLimited }
        let email = InboundEmail(
            address: address, subject: subject, text: text, messageID: messageID, attachmentsDropped: dropped, senderVerified: headers.senderVerified,
            automated: headers.automated)
        do {
            _ = try await ErrorTable.during(.general) { try await relay.intake.ingestEmail(email, webhookToken: fields.first("token")) }
        } catch let error as APIError where error.code == "paused" {
            // A blocked sender: the provider is told it was handled (no retries); nothing is stored.
            metrics.count("saferelay_blocked_messages_total", [("channel", "email")])
            return try RequestSupport.json(InboundAnswer(stored: false, attachments_dropped: dropped))
        } catch let error as APIError where error.status == .unauthorized {
            refusals.notice("email webhook refused", reason: "replayed token", logger: context.logger)
            throw forbidden
        }
        return try RequestSupport.json(InboundAnswer(stored: true, attachments_dropped: dropped))
    }
}
