import Foundation

/// What an account may do.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Works threads.
    case advocate
    /// Also sees queue statistics and reassigns.
    case supervisor
    /// Sees audit and retention data, never content.
    case compliance
    /// Manages accounts.
    case admin
}
