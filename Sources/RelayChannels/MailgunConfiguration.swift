import Foundation

/// How to reach Mailgun (or a compatible stand-in) for email: its inbound routes post to
/// `/email/inbound` signed with the webhook signing key; replies go out through its Messages API
/// (`POST /v3/{domain}/messages`) from a per-thread address on the hotline's domain.
///
/// Mailgun is chosen over Postmark because its webhooks carry a signature over a timestamp and a
/// one-time token (HMAC-SHA256 with a signing key) that the relay can check and bound in time;
/// Postmark's inbound webhook carries no signature (only Basic auth or an IP allow-list).
public struct MailgunConfiguration: Sendable {
    /// The sending domain (`mail.hotline.example`); reply addresses are `reply+TOKEN@domain`.
    public var domain: String
    /// The API key (Basic `api:KEY`).
    public var apiKey: String
    /// The webhook signing key (checks inbound webhooks).
    public var signingKey: String
    /// The API's base URL, `https://api.mailgun.net` unless a stand-in (or the EU region) is used.
    public var apiBase: String
    /// The name replies come from: neutral, since someone else may read the inbox.
    public var fromName: String
    /// The subject replies carry: neutral, never the person's own subject.
    public var subject: String
    /// How far a webhook's timestamp may be from now before it is refused as a replay.
    public var timestampTolerance: TimeInterval = 300

    /// Creates a configuration.
    public init(domain: String, apiKey: String, signingKey: String, apiBase: String = "https://api.mailgun.net", fromName: String = "Support", subject: String = "Your message") {
        self.domain = domain
        self.apiKey = apiKey
        self.signingKey = signingKey
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.fromName = fromName
        self.subject = subject
    }

    /// The address a thread's replies come from and answers go to.
    public func replyAddress(token: String) -> String { "reply+\(token)@\(domain)" }

    /// Reads `SAFERELAY_MAILGUN_*` from an environment; `nil` (no email) if any required one is unset.
    /// - Throws: ``TwilioConfiguration/InsecureAPIBase`` for an API base that is not `https://`
    ///   (or `http://` to a loopback stand-in), or ``BadDomain``.
    public static func fromEnvironment(_ environment: [String: String]) throws -> MailgunConfiguration? {
        guard let domain = environment["SAFERELAY_MAILGUN_DOMAIN"], !domain.isEmpty,
            let key = environment["SAFERELAY_MAILGUN_API_KEY"], !key.isEmpty,
            let signing = environment["SAFERELAY_MAILGUN_SIGNING_KEY"], !signing.isEmpty
        else { return nil }
        guard domain.count <= 200, domain.contains("."), domain.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
            throw BadDomain()
        }
        let apiBase = environment["SAFERELAY_MAILGUN_API_BASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.mailgun.net"
        guard TwilioConfiguration.isSafeAPIBase(apiBase) else { throw TwilioConfiguration.InsecureAPIBase() }
        var configuration = MailgunConfiguration(domain: domain.lowercased(), apiKey: key, signingKey: signing, apiBase: apiBase)
        if let name = environment["SAFERELAY_MAILGUN_FROM_NAME"], (1...60).contains(name.count) { configuration.fromName = name }
        if let subject = environment["SAFERELAY_MAILGUN_SUBJECT"], (1...100).contains(subject.count) { configuration.subject = subject }
        return configuration
    }

    /// The sending domain is not a plain domain name.
    public struct BadDomain: Error, CustomStringConvertible {
        public var description: String { "SAFERELAY_MAILGUN_DOMAIN must be a domain name such as mail.hotline.example" }
    }
}

extension MailgunConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never prints a key.
    public var description: String { "MailgunConfiguration(domain: \(domain), apiBase: \(apiBase))" }
    public var debugDescription: String { description }
}
