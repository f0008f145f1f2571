import Foundation

/// Which channel a contact or thread came in on.
public enum ChannelKind: String, Sendable, Codable, CaseIterable {
    /// SMS through the Twilio-compatible bridge.
    case sms
    /// The no-trace webchat.
    case webchat
    /// The no-trace tip form (`/report`).
    case webform
    /// Email through the provider's inbound webhook.
    case email
}
