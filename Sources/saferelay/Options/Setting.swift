import Foundation

/// Resolves a setting as the README documents: the flag if given, else its `SAFERELAY_*`
/// environment variable, else the default.
enum Setting {
    static func resolve(_ flag: String?, environment name: String, default fallback: String) -> String {
        if let flag { return flag }
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty { return value }
        return fallback
    }

    static func resolveOptional(_ flag: String?, environment name: String) -> String? {
        if let flag { return flag }
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty { return value }
        return nil
    }

    static func flag(_ flag: Bool, environment name: String) -> Bool {
        if flag { return true }
        guard let value = ProcessInfo.processInfo.environment[name]?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }
}
