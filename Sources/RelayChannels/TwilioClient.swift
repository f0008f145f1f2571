import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RelayCore

/// Sends SMS through the Twilio Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`) and
/// classifies every ending so that the outbox never sends twice.
public struct TwilioClient: Sendable {
    let configuration: TwilioConfiguration
    let httpClient: HTTPClient
    let authorization: String
    /// How long one request may take before its fate is `unknown`.
    public var timeout: TimeAmount = .seconds(15)

    /// Creates a client over a shared `HTTPClient`.
    public init(configuration: TwilioConfiguration, httpClient: HTTPClient) {
        self.configuration = configuration
        self.httpClient = httpClient
        let credentials = Data("\(configuration.accountSID):\(configuration.authToken)".utf8).base64EncodedString()
        self.authorization = "Basic \(credentials)"
    }

    /// Sends one message and says how it ended.
    public func send(_ sms: OutboundSMS) async -> SendOutcome {
        var form = [("To", sms.to), ("Body", sms.body)]
        if configuration.from.hasPrefix("MG") {
            form.append(("MessagingServiceSid", configuration.from))
        } else {
            form.append(("From", configuration.from))
        }
        if let callback = configuration.statusCallbackURL { form.append(("StatusCallback", callback)) }

        var request = HTTPClientRequest(url: "\(configuration.apiBase)/2010-04-01/Accounts/\(configuration.accountSID)/Messages.json")
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form)))

        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 256 * 1024)
        } catch {
            return Self.classify(error)
        }
        let bytes = Data(body.readableBytesView)
        let json = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any]
        var code: String? = json?["code"] as? String
        if let number = json?["code"] as? Int { code = String(number) }
        switch response.status.code {
        case 200, 201:
            guard let sid = json?["sid"] as? String, !sid.isEmpty else { return .unknown(reason: "accepted_without_sid") }
            return .accepted(providerMessageID: sid)
        case 429:
            return .retry(code: code ?? "20429")
        case 503:
            // Service unavailable: the request was not taken on. Safe to try again.
            return .retry(code: code ?? "http_503")
        case 500...599:
            // Any other 5xx may have come after the message was created (a proxy timing out, say):
            // its fate is unknown, and a reply must never reach a monitored phone twice.
            return .unknown(reason: code ?? "http_\(response.status.code)")
        default:
            if code == "20429" { return .retry(code: "20429") }
            return .permanentFailure(code: code ?? "http_\(response.status.code)", optedOut: code == "21610")
        }
    }

    /// Errors that prove the request never left are retried; anything else may have reached Twilio
    /// and is `unknown`.
    static func classify(_ error: any Error) -> SendOutcome {
        if let error = error as? HTTPClientError,
            error == .connectTimeout || error == .getConnectionFromPoolTimeout || error == .alreadyShutdown
        {
            return .retry(code: "connect_failed")
        }
        if error is NIOConnectionError { return .retry(code: "connect_failed") }
        if let error = error as? ChannelError, case .connectTimeout = error { return .retry(code: "connect_failed") }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return .retry(code: "connect_refused") }
        return .unknown(reason: "transport_\(String(describing: type(of: error)))".prefix(48).description)
    }
}

/// `application/x-www-form-urlencoded` encoding.
public enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*")

    /// Encodes name/value pairs.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        (text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "").replacingOccurrences(of: "%20", with: "+")
    }
}

extension TwilioClient: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never prints credentials.
    public var description: String { "TwilioClient(\(configuration))" }
    public var debugDescription: String { description }
}
