import Foundation

/// A message's direction, bound into its ciphertext.
public enum MessageDirection: String, Sendable, Codable, CaseIterable {
    /// From the survivor.
    case inbound
    /// From an advocate.
    case outbound
}
