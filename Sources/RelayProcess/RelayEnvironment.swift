import Foundation

/// The environment a child `saferelay` process gets: this process's, without any `SAFERELAY_*`
/// setting (so that nothing from the caller's shell leaks into a run), then the given settings.
///
/// ```swift
/// let environment = RelayEnvironment.child(["SAFERELAY_LOG_LEVEL": "debug"])
/// ```
public enum RelayEnvironment {
    /// The parent's environment without `SAFERELAY_*` variables, with `settings` merged over it.
    /// - Parameter settings: Variables to add or replace.
    public static func child(_ settings: [String: String] = [:]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SAFERELAY_") }.merging(settings) { $1 }
    }
}
