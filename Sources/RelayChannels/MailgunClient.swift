import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RelayCore

/// Sends email replies through Mailgun's Messages API (`POST /v3/{domain}/messages`) and classifies
/// every ending as the outbox needs it, so that a reply is never sent twice: from the thread's own
/// reply address, with a neutral sender name and subject, tracking off.
public struct MailgunClient: Sendable {
    let configuration: MailgunConfiguration
    let httpClient: HTTPClient
    let authorization: String
    /// How long one request may take before its fate is `unknown`.
    public var timeout: TimeAmount = .seconds(15)

    /// Creates a client over a shared `HTTPClient`.
    public init(configuration: MailgunConfiguration, httpClient: HTTPClient) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.authorization = "Basic " + Data("api:\(configuration.apiKey)".utf8).base64EncodedString()
    }

    /// Sends one reply and says how it ended.
    public func send(_ message: OutboundSMS) async -> SendOutcome {
        guard let token = message.replyToken else { return .permanentFailure(code: "no_reply_address", optedOut: false) }
        let address = configuration.replyAddress(token: token)
        let form = [
            ("from", "\(configuration.fromName) <\(address)>"), ("to", message.to), ("subject", configuration.subject), ("text", message.body),
            ("h:Reply-To", address), ("o:tracking", "no"), ("o:tracking-clicks", "no"), ("o:tracking-opens", "no"),
        ]
        var request = HTTPClientRequest(url: "\(configuration.apiBase)/v3/\(configuration.domain)/messages")
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            return TwilioClient.classify(error)
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
        switch response.status.code {
        case 200, 201:
            guard let id = json?["id"] as? String, !id.isEmpty, id.utf8.count <= 512 else { return .unknown(reason: "accepted_without_id") }
            return .accepted(providerMessageID: id)
        case 429, 503:
            return .retry(code: "http_\(response.status.code)")
        case 500...599:
            // It may have been queued before the error: unknown, never re-sent blindly.
            return .unknown(reason: "http_\(response.status.code)")
        default:
            return .permanentFailure(code: "http_\(response.status.code)", optedOut: false)
        }
    }
}

extension MailgunClient: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never prints credentials.
    public var description: String { "MailgunClient(\(configuration))" }
    public var debugDescription: String { description }
}
