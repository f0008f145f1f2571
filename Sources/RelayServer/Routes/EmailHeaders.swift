import Foundation
import RelayWire

/// The two things the relay reads from an inbound email's headers (Mailgun's `message-headers`,
/// a JSON list of name and value pairs) and never stores: whether the provider verified the
/// sender, and whether a machine sent it (`Auto-Submitted`, `Precedence`).
///
/// Verified means exactly one `X-Mailgun-Spf: Pass`: SPF is checked against the envelope sender,
/// which is the address the relay threads and replies by. DKIM is not enough (a pass says some
/// domain signed, not the sender's), form fields are not read (anyone can post a field), and a
/// repeated verdict — a sender who wrote their own header beside Mailgun's — counts as none.
struct EmailHeaders {
    var senderVerified = false
    var automated = false

    init(fields: [(String, String)]) {
        var pairs: [(String, String)] = []
        if let json = fields.first("message-headers"), json.utf8.count <= 256 * 1024,
            let list = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[Any]]
        {
            for entry in list.prefix(500) where entry.count == 2 {
                if let name = entry[0] as? String, let value = entry[1] as? String { pairs.append((name, value)) }
            }
        }
        var spf: [String] = []
        for (name, value) in pairs {
            let value = value.trimmingCharacters(in: .whitespaces).lowercased()
            switch name.lowercased() {
            case "x-mailgun-spf":
                spf.append(value)
            case "auto-submitted":
                if value != "no" { automated = true }
            case "precedence":
                if ["bulk", "junk", "list", "auto_reply"].contains(value) { automated = true }
            default:
                continue
            }
        }
        senderVerified = spf == ["pass"]
    }
}
