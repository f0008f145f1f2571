import RelayCrypto
import RelayModel
import RelayStore

/// A survivor's address on a channel, normalised so that the same person always hashes the same way.
public struct ContactAddress: Sendable, Equatable {
    /// The channel.
    public let channel: ChannelKind
    /// The normalised form: E.164 for SMS (`+14155550100`), the opaque contact id for webchat.
    public let normalised: String

    /// Set for an email whose sender the provider could not verify: it is kept apart from the
    /// verified sender's contact, so that a forged sender never writes into (or opens) their conversation.
    var unverified = false

    /// What goes into the blind index: channel and address, so equal strings on two channels never collide.
    var indexInput: String { "\(channel.rawValue):\(unverified ? "unverified:" : "")\(normalised)" }

    /// An SMS address, normalised to E.164. Accepts `+`, `00` or (for North America) a bare
    /// 10- or 11-digit number, with spaces, dots, dashes and parentheses ignored.
    /// - Throws: `RelayError.invalidInput` if it is not a plausible phone number.
    public static func phone(_ raw: String) throws -> ContactAddress {
        guard raw.utf8.count <= 40 else { throw RelayError.invalidInput("phone number too long") }
        var digits = ""
        var hasPlus = false
        for (offset, char) in raw.trimmingWhitespace().enumerated() {
            switch char {
            case "+" where offset == 0: hasPlus = true
            case "0"..."9": digits.append(char)
            case " ", "-", ".", "(", ")": continue
            default: throw RelayError.invalidInput("phone number has an unexpected character")
            }
        }
        if !hasPlus {
            if digits.hasPrefix("00") {
                digits.removeFirst(2)
            } else if digits.count == 10 {
                digits = "1" + digits
            } else if !(digits.count == 11 && digits.hasPrefix("1")) {
                throw RelayError.invalidInput("phone number is not in international form")
            }
        }
        guard (8...15).contains(digits.count), digits.first != "0" else {
            throw RelayError.invalidInput("phone number is not a valid E.164 number")
        }
        return ContactAddress(channel: .sms, normalised: "+" + digits)
    }

    /// An email address, lower-cased, from a provider's envelope sender (`person@example.org`).
    /// - Throws: `RelayError.invalidInput` if it is not a plausible address.
    public static func email(_ raw: String) throws -> ContactAddress {
        let address = String(raw.trimmingWhitespace()).lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard (3...254).contains(address.utf8.count), parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            address.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f && !"<>()[],;:\\\"".unicodeScalars.contains($0) })
        else { throw RelayError.invalidInput("not an email address") }
        return ContactAddress(channel: .email, normalised: address)
    }

    /// A tip-form reporter who left no way back: a random key nobody holds, so that nothing can
    /// ever find or answer them.
    static func anonymousReport() -> ContactAddress {
        ContactAddress(channel: .webform, normalised: RandomToken.identifier())
    }

    /// A webchat address: the opaque, random contact id a webchat session is bound to.
    public static func webchat(contactKey: String) throws -> ContactAddress {
        guard (16...128).contains(contactKey.utf8.count), contactKey.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw RelayError.invalidInput("webchat contact key is malformed")
        }
        return ContactAddress(channel: .webchat, normalised: contactKey)
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return self[first...last]
    }
}
