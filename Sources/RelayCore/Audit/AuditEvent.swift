import Foundation

/// One audited action: who, in what role, did what, to which thread, why, when, with what outcome.
/// Never content, never a phone number.
public struct AuditEvent: Sendable, Equatable {
    /// Who acted: an account name, `cli:USER`, `survivor` or `system`.
    public var actor: String
    /// The actor's role (`advocate`, `supervisor`, `compliance`, `admin`, `survivor`, `system`).
    public var role: String
    /// What happened, as a dotted verb: `thread.view`, `hold.add`, `retention.purge`, …
    public var action: String
    /// The thread concerned, if any.
    public var threadID: String?
    /// Why (required to open a thread not assigned to you; a hold's reason).
    public var purpose: String?
    /// `ok`, `refused`, `failed`, …
    public var outcome: String
    /// Extra non-personal facts (counts, a policy hash, a time range).
    public var details: [String: String]

    /// Longest accepted value of any field, in characters.
    public static let maximumFieldLength = 500

    /// Creates an event.
    public init(
        actor: String, role: String, action: String, threadID: String? = nil, purpose: String? = nil, outcome: String = "ok",
        details: [String: String] = [:]
    ) {
        self.actor = actor
        self.role = role
        self.action = action
        self.threadID = threadID
        self.purpose = purpose
        self.outcome = outcome
        self.details = details
    }

    /// The canonical line (see `docs/audit-format.md`): one JSON object, keys in byte order, no
    /// spaces, only `"`, `\` and control characters escaped. Its bytes are the Merkle leaf's data.
    public func line(seq: Int64, at time: Date) -> String {
        var fields: [(String, String)] = [
            ("action", action), ("actor", actor), ("at", AuditEvent.timestamp(time)), ("outcome", outcome), ("role", role),
        ]
        if let threadID { fields.append(("thread", threadID)) }
        if let purpose { fields.append(("purpose", purpose)) }
        for (key, value) in details { fields.append(("x_\(key)", value)) }
        fields.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        var out = #"{"seq":\#(seq)"#
        for (key, value) in fields {
            out += ",\(Self.quote(key)):\(Self.quote(String(value.prefix(Self.maximumFieldLength))))"
        }
        return out + "}"
    }

    /// UTC with milliseconds, e.g. `2026-11-23T20:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        var style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        style.timeZone = TimeZone(identifier: "UTC")!
        return date.formatted(style)
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
