import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RelayCrypto
import Synchronization

/// Requests to the server under test, as its real clients send them; with several instances, to
/// each in turn (as a load balancer would).
struct HTTPDriver: Sendable {
    let client: HTTPClient
    let bases: [String]
    let webhook: WebhookSigner
    private let turn = Turn()

    init(client: HTTPClient, bases: [String], webhook: WebhookSigner) {
        precondition(!bases.isEmpty, "no server to send to")
        self.client = client
        self.bases = bases
        self.webhook = webhook
    }

    /// The next instance's address.
    var base: String { bases[turn.next() % bases.count] }

    /// One request; the status and body, or `nil` when no answer came (refused, reset, timed out).
    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil, timeout: TimeAmount = .seconds(30)
    ) async -> (status: Int, body: String)? {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        do {
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 4 << 20)
            return (Int(response.status.code), String(buffer: bytes))
        } catch {
            return nil
        }
    }

    /// A signed Twilio inbound SMS webhook.
    func inboundSMS(sid: String, from phone: String, body: String) async -> Int? {
        let fields = webhook.fields(sid: sid, from: phone, body: body)
        return await send(
            .POST, "/sms/twilio/inbound",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", webhook.sign(fields))],
            body: WebhookSigner.form(fields))?.status
    }

    /// A JSON object's string fields.
    static func object(_ body: String?) -> [String: Any] {
        (body.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]) ?? [:]
    }
}

/// Signs webhooks the way Twilio does, for the account the server is configured with.
struct WebhookSigner: Sendable {
    let accountSID: String
    let publicURL: String
    let signature: TwilioSignature

    func fields(sid: String, from phone: String, body: String) -> [(String, String)] {
        [("AccountSid", accountSID), ("MessageSid", sid), ("From", phone), ("To", "+15005550006"), ("Body", body), ("NumMedia", "0")]
    }

    func sign(_ fields: [(String, String)]) -> String {
        signature.signature(url: publicURL + "/sms/twilio/inbound", parameters: fields)
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*")

    static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\(($0.1.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "").replacingOccurrences(of: "%20", with: "+"))" }
            .joined(separator: "&")
    }
}

/// Phone numbers and provider ids for generated traffic: distinct, valid, never real people's.
enum Traffic {
    /// A distinct, well-formed North American number for sender `index` (unique below 800 million).
    static func phone(_ index: Int) -> String {
        "+1\(200 + (index / 1_000_000) % 800)\(2_000_000 + index % 1_000_000)"
    }

    /// A Twilio-shaped message id: SM and 32 hex digits.
    static func sid(_ prefix: UInt32, _ index: Int) -> String {
        "SM" + String(format: "%08x%024x", prefix, index)
    }
}

/// A counter shared by copies of a driver.
final class Turn: Sendable {
    private let counter = Atomic<Int>(0)
    func next() -> Int { counter.add(1, ordering: .relaxed).oldValue }
}
