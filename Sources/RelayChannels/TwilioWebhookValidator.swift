import RelayCrypto

/// Checks Twilio's `X-Twilio-Signature` on an inbound webhook (form or JSON body) with the
/// account's auth token, so that the server need not hold crypto itself.
public struct TwilioWebhookValidator: Sendable {
    private let signature: TwilioSignature

    /// Validates with `authToken`.
    public init(authToken: String) {
        signature = TwilioSignature(authToken: authToken)
    }

    /// Whether `presented` signs `url` and the form `parameters`.
    public func isValid(signature presented: String, url: String, parameters: [(String, String)]) -> Bool {
        signature.isValid(signature: presented, url: url, parameters: parameters)
    }

    /// Whether `presented` signs `url` (with its `bodySHA256`) and the JSON `body`.
    public func isValidJSON(signature presented: String, url: String, body: [UInt8]) -> Bool {
        signature.isValidJSON(signature: presented, url: url, body: body)
    }
}
