import Foundation
import RelayCrypto

/// Checks Mailgun's webhook signature (HMAC-SHA256 of `timestamp ‖ token` with the signing key)
/// and that the timestamp is recent, so that a captured request cannot be replayed later. (A
/// replay inside the window is stored once anyway: deliveries are de-duplicated by message id.)
public struct MailgunWebhookValidator: Sendable {
    private let signature: MailgunSignature
    let tolerance: TimeInterval

    /// Validates with the signing key, accepting timestamps within `tolerance` seconds of now.
    public init(signingKey: String, tolerance: TimeInterval = 300) {
        signature = MailgunSignature(signingKey: signingKey)
        self.tolerance = tolerance
    }

    /// Why a webhook was refused.
    public enum Refusal: Error, Equatable {
        /// No or malformed timestamp, token or signature.
        case missing
        /// The timestamp is too far from now.
        case stale
        /// The signature does not match.
        case badSignature
    }

    /// Checks the three fields at `now`.
    public func check(timestamp: String?, token: String?, signature presented: String?, now: Date) throws(Refusal) {
        guard let timestamp, let token, let presented, timestamp.count <= 20, let seconds = TimeInterval(timestamp),
            (16...256).contains(token.utf8.count), presented.utf8.count == 64
        else { throw .missing }
        guard signature.isValid(timestamp: timestamp, token: token, signature: presented) else { throw .badSignature }
        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else { throw .stale }
    }
}
