/// How to reach the Twilio Messages API (or a compatible stand-in).
public struct TwilioConfiguration: Sendable {
    /// The account (`AC…`).
    public var accountSID: String
    /// The account's auth token: signs webhooks and authenticates API calls.
    public var authToken: String
    /// The sender: a phone number or short code, or a Messaging Service (`MG…`).
    public var from: String
    /// The API's base URL, `https://api.twilio.com` unless a stand-in is used.
    public var apiBase: String
    /// The URL Twilio posts delivery status to.
    public var statusCallbackURL: String?

    /// Creates a configuration.
    public init(accountSID: String, authToken: String, from: String, apiBase: String = "https://api.twilio.com", statusCallbackURL: String? = nil) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.statusCallbackURL = statusCallbackURL
    }

    /// Reads `SAFERELAY_TWILIO_*` from an environment; `nil` (no SMS provider) if any required one is unset.
    public static func fromEnvironment(_ environment: [String: String], publicURL: String) -> TwilioConfiguration? {
        guard let sid = environment["SAFERELAY_TWILIO_ACCOUNT_SID"], !sid.isEmpty,
            let token = environment["SAFERELAY_TWILIO_AUTH_TOKEN"], !token.isEmpty,
            let from = environment["SAFERELAY_TWILIO_FROM"], !from.isEmpty
        else { return nil }
        return TwilioConfiguration(
            accountSID: sid, authToken: token, from: from,
            apiBase: environment["SAFERELAY_TWILIO_API_BASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.twilio.com",
            statusCallbackURL: publicURL + "/sms/twilio/status")
    }
}

extension TwilioConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never prints the auth token (service lifecycles log their services' descriptions).
    public var description: String { "TwilioConfiguration(account: \(accountSID.prefix(6))…, apiBase: \(apiBase))" }
    public var debugDescription: String { description }
}
