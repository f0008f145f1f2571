import Foundation
import RelayWire

/// The two things the relay reads from an inbound email's headers (Mailgun's `message-headers`,
/// a JSON list of name and value pairs) and never stores: whether the provider verified the
/// sender (SPF or DKIM passed), and whether a machine sent it (`Auto-Submitted`, `Precedence`).
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
        // Mailgun may also post its verdicts as fields of their own.
        pairs += fields.filter { $0.0.lowercased().hasPrefix("x-mailgun-") }
        for (name, value) in pairs {
            let value = value.trimmingCharacters(in: .whitespaces).lowercased()
            switch name.lowercased() {
            case "x-mailgun-spf", "x-mailgun-dkim-check-result":
                if value == "pass" { senderVerified = true }
            case "auto-submitted":
                if value != "no" { automated = true }
            case "precedence":
                if ["bulk", "junk", "list", "auto_reply"].contains(value) { automated = true }
            default:
                continue
            }
        }
    }
}
