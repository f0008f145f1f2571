import Foundation

/// The language a conversation is held in: the automatic answers, the console and the canned
/// responses follow it.
public enum ConversationLanguage: String, Sendable, Codable, CaseIterable {
    /// English.
    case en
    /// Spanish.
    case es
}
