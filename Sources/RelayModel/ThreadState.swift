import Foundation

/// A thread's lifecycle state.
public enum ThreadState: String, Sendable, Codable, CaseIterable {
    /// Accepting messages.
    case open
    /// Closed by an advocate or by idleness; content kept until retention purges it.
    case closed
    /// Content destroyed (crypto-shredded); only metadata remains.
    case erased
}
