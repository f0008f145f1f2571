import Foundation
import RelayCrypto

/// The per-thread part of an email reply address (`reply+TOKEN@domain`): the thread's id and a
/// keyed hash of it, so that the person's answer comes back to the inbound route without any stored
/// message id; there it joins the conversation found by the sender's keyed hash.
public struct EmailReplyTokens: Sendable {
    let keyring: Keyring

    /// Creates the tokens of a keyring.
    public init(keyring: Keyring) {
        self.keyring = keyring
    }

    /// `THREADID.MAC` (the MAC: 20 hex characters of a keyed BLAKE2b of the thread id).
    public func token(threadID: String) -> String {
        threadID + "." + mac(threadID)
    }

    private func mac(_ threadID: String) -> String {
        String(Hex.encode(keyring.blindIndex(.deliveryID).index("email-reply-address:" + threadID)).prefix(20))
    }
}
