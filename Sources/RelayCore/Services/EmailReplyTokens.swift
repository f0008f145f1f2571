import Foundation
import RelayCrypto

/// The per-thread part of an email reply address (`reply+TOKEN@domain`): the thread's id and a
/// keyed hash of it, so that an answer finds its thread without any stored message id, and nobody
/// can write into a thread by guessing an address.
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

    /// The thread a token names, if its MAC holds.
    public func threadID(fromToken token: String) -> String? {
        let parts = token.split(separator: ".")
        guard parts.count == 2, (16...64).contains(parts[0].count), parts[0].allSatisfy({ $0.isHexDigit }) else { return nil }
        let threadID = String(parts[0])
        guard ConstantTime.equals(Array(mac(threadID).utf8), Array(parts[1].lowercased().utf8)) else { return nil }
        return threadID
    }

    /// The token in a recipient address such as `reply+TOKEN@domain`, if there is one.
    public static func token(inRecipient recipient: String) -> String? {
        let local = recipient.split(separator: "@").first.map(String.init)?.lowercased() ?? ""
        guard let plus = local.firstIndex(of: "+") else { return nil }
        return String(local[local.index(after: plus)...])
    }

    private func mac(_ threadID: String) -> String {
        String(Hex.encode(keyring.blindIndex(.deliveryID).index("email-reply-address:" + threadID)).prefix(20))
    }
}
