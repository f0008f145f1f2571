import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayChannels
import RelayCore
import RelayWire

/// The Twilio-compatible SMS bridge: `POST /sms/twilio/inbound` and `POST /sms/twilio/status`.
/// Every request must carry a valid `X-Twilio-Signature`; a bad one gets 403 and stores nothing.
struct TwilioRoutes<Context: RequestContext> {
    let relay: Relay
    let configuration: ServerConfiguration
    let limiter: RateLimiter
    let validator: TwilioWebhookValidator?
    let metrics: RelayMetrics
    let refusals = NoticeThrottle()

    init(relay: Relay, configuration: ServerConfiguration, limiter: RateLimiter, metrics: RelayMetrics) {
        self.metrics = metrics
        self.relay = relay
        self.configuration = configuration
        self.limiter = limiter
        self.validator = configuration.twilio.map { TwilioWebhookValidator(authToken: $0.authToken) }
    }

    func register(on router: Router<Context>) {
        router.post("/sms/twilio/inbound") { request, context in try await inbound(request, context: context) }
        router.post("/sms/twilio/status") { request, context in try await status(request, context: context) }
    }

    static var signatureHeader: HTTPField.Name { HTTPField.Name("X-Twilio-Signature")! }

    // MARK: - Inbound

    /// A keyword (ERASE, STOP, START and kin) is acted on before any rate limit: a survivor's erase is
    /// never refused for rate reasons, and only Twilio, whose signature was just checked, can send one.
    func inbound(_ request: Request, context: Context) async throws -> Response {
        let fields = try await verifiedFields(request, context: context)
        guard let sid = fields.first("MessageSid") ?? fields.first("SmsSid"), TwilioWebhookBody.isProviderID(sid) else {
            throw APIError(.badRequest, code: "missing_field", message: "MessageSid is missing or malformed")
        }
        if let account = fields.first("AccountSid"), account != configuration.twilio?.accountSID {
            throw APIError(.forbidden, code: "forbidden", message: "the request is not for this account")
        }
        guard let fromField = fields.first("From") else {
            throw APIError(.badRequest, code: "missing_field", message: "From is missing")
        }
        let body = fields.first("Body") ?? ""
        guard body.count <= relay.settings.maximumSMSCharacters else {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "Body exceeds \(relay.settings.maximumSMSCharacters) characters")
        }
        let address: ContactAddress
        do {
            address = try ContactAddress.phone(fromField)
        } catch {
            throw APIError(.badRequest, code: "invalid_field", message: "From is not a phone number")
        }

        if let keyword = SMSKeyword.match(body, settings: relay.settings) {
            switch try await relay.intake.handleKeyword(keyword, from: address, deliveryID: sid) {
            case .erased(let confirmation): return Self.twiml("<Message>\(Self.xmlEscape(confirmation))</Message>")
            case .eraseDeferred(let notice): return Self.twiml("<Message>\(Self.xmlEscape(notice))</Message>")
            case .optOutRecorded, .duplicate: return Self.twiml("")
            }
        }
        guard await limiter.allow(scope: "global", identity: "inbound", bucket: configuration.rateLimits.global),
            await limiter.allow(scope: "sms", identity: address.normalised, bucket: configuration.rateLimits.perSender)
        else { throw APIError.rateLimited }
        do {
            _ = try await ErrorTable.during(.inboundMessage) { try await relay.intake.ingest(InboundMessage(address: address, body: body, deliveryID: sid)) }
        } catch let error as APIError where error.code == "paused" {
            // A blocked contact's text is dropped: Twilio is told it was handled (no retries), the sender gets nothing.
            metrics.count("saferelay_blocked_messages_total", [("channel", "sms")])
        }
        return Self.twiml("")
    }

    // MARK: - Status callbacks

    func status(_ request: Request, context: Context) async throws -> Response {
        let fields = try await verifiedFields(request, context: context)
        guard let sid = fields.first("MessageSid") ?? fields.first("SmsSid"), TwilioWebhookBody.isProviderID(sid),
            let status = fields.first("MessageStatus") ?? fields.first("SmsStatus"), status.count <= 32
        else {
            throw APIError(.badRequest, code: "missing_field", message: "MessageSid or MessageStatus is missing or malformed")
        }
        try await relay.outbox.recordDeliveryStatus(providerMessageID: sid, status: status, errorCode: fields.first("ErrorCode"))
        return Self.twiml("")
    }

    // MARK: - Signature

    /// Collects and parses the body and checks the signature over exactly what Twilio signed.
    /// Nothing about the body is answered before the signature holds: a body that cannot be
    /// checked (no signature, a malformed form, an unknown type no signature covers) gets the same
    /// 403 as a forged one, and refusals are logged at most once a minute.
    func verifiedFields(_ request: Request, context: Context) async throws -> [(String, String)] {
        guard let validator else {
            throw APIError(.serviceUnavailable, code: "sms_not_configured", message: "no SMS provider is configured")
        }
        let forbidden = APIError(.forbidden, code: "forbidden", message: "missing or invalid request signature")
        guard let signature = request.headers[Self.signatureHeader], signature.count <= TwilioWebhookBody.maximumSignatureLength else {
            refusals.notice("webhook refused", reason: "no signature", logger: context.logger)
            throw forbidden
        }
        let buffer = try await RequestSupport.body(of: request, limit: configuration.maximumBodyBytes)
        let bytes = Array(buffer.readableBytesView)
        let url = configuration.publicURL + request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        do throws(TwilioWebhookBody.Failure) {
            return try TwilioWebhookBody.verifiedFields(
                contentType: request.headers[.contentType], body: bytes,
                isValidJSON: { validator.isValidJSON(signature: signature, url: url, body: $0) },
                isValidForm: { validator.isValid(signature: signature, url: url, parameters: $0) })
        } catch {
            switch error {
            case .badSignature, .malformedForm:
                refusals.notice("webhook refused", reason: "bad signature", logger: context.logger)
                throw forbidden
            case .malformedJSON:
                // Only after the signature over the raw body held.
                throw APIError(.badRequest, code: "malformed_json", message: "the body is not a JSON object")
            case .unsupportedMediaType:
                guard validator.isValidJSON(signature: signature, url: url, body: bytes) else {
                    refusals.notice("webhook refused", reason: "bad signature", logger: context.logger)
                    throw forbidden
                }
                throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "expected a form or JSON body")
            }
        }
    }

    // MARK: - Helpers

    static func twiml(_ inner: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/xml; charset=utf-8"
        let xml = inner.isEmpty
            ? #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#
            : #"<?xml version="1.0" encoding="UTF-8"?><Response>"# + inner + "</Response>"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    static func xmlEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
