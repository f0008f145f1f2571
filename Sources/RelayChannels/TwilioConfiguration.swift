import Foundation
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
    /// - Throws: ``InsecureAPIBase`` for an API base that is not `https://` (or `http://` to a loopback stand-in).
    public static func fromEnvironment(_ environment: [String: String], publicURL: String) throws -> TwilioConfiguration? {
        guard let sid = environment["SAFERELAY_TWILIO_ACCOUNT_SID"], !sid.isEmpty,
            let token = environment["SAFERELAY_TWILIO_AUTH_TOKEN"], !token.isEmpty,
            let from = environment["SAFERELAY_TWILIO_FROM"], !from.isEmpty
        else { return nil }
        let apiBase = environment["SAFERELAY_TWILIO_API_BASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.twilio.com"
        guard isSafeAPIBase(apiBase) else { throw InsecureAPIBase() }
        return TwilioConfiguration(accountSID: sid, authToken: token, from: from, apiBase: apiBase, statusCallbackURL: publicURL + "/sms/twilio/status")
    }

    /// Whether replies may go to `base`: `https://` to any host, or `http://` only to a loopback
    /// stand-in (127.0.0.0/8, ::1, localhost). Credentials, numbers and text never cross a network in clear.
    public static func isSafeAPIBase(_ base: String) -> Bool {
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty,
            url.user == nil, url.password == nil
        else { return false }
        if scheme == "https" { return true }
        guard scheme == "http" else { return false }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The API base would send credentials and messages in clear.
    public struct InsecureAPIBase: Error, CustomStringConvertible {
        public var description: String {
            "SAFERELAY_TWILIO_API_BASE must be an https:// URL (http:// only to a loopback stand-in such as http://127.0.0.1:PORT)"
        }
    }
}

extension TwilioConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never prints the auth token (service lifecycles log their services' descriptions).
    public var description: String { "TwilioConfiguration(account: \(accountSID.prefix(6))…, apiBase: \(apiBase))" }
    public var debugDescription: String { description }
}
