import RelayCore
import RelayModel

/// Writes a policy as YAML in the schema of `Policies/README.md`, every text double-quoted and escaped.
enum PolicyWriter {
    static func yaml(_ policy: RetentionPolicy) -> String {
        var lines = [
            "version: 1",
            "name: \(quoted(policy.name))",
            "content:",
            "  idle_close_after: \(duration(policy.content.idleCloseAfter))",
            "  after_close: \(duration(policy.content.afterClose))",
            "  erased_on_request: \(duration(policy.erasedOnRequest))",
            "metadata:",
            "  keep_for: \(duration(policy.metadata))",
            "audit:",
            "  keep_for: \(duration(policy.audit))",
            "legal_hold:",
            "  survivor_erase: \(policy.holdDefersSurvivorErase ? "defer" : "honour")",
        ]
        if !policy.overrides.isEmpty {
            lines.append("overrides:")
            for override in policy.overrides {
                if let channel = override.channel { lines.append("  - channel: \(channel.rawValue)") }
                if let tag = override.tag { lines.append("  - tag: \(quoted(tag))") }
                if let idle = override.idleCloseAfter { lines.append("    idle_close_after: \(duration(idle))") }
                if let after = override.afterClose { lines.append("    after_close: \(duration(after))") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The largest unit that divides the duration exactly.
    static func duration(_ seconds: Double) -> String {
        guard seconds > 0 else { return "0" }
        let whole = Int(seconds)
        for (unit, size) in [("y", 31_536_000), ("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] where whole % size == 0 {
            return "\(whole / size)\(unit)"
        }
        return "\(whole)s"
    }

    /// A YAML double-quoted scalar: printable ASCII as is, everything else escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case " "..."~": out.unicodeScalars.append(scalar)
            default:
                let hex = String(scalar.value, radix: 16)
                out += "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
            }
        }
        return out + "\""
    }
}
