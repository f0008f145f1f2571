import Foundation
import RelayModel

/// A text the relay sends in each conversation language.
public struct BilingualText: Sendable, Equatable {
    /// English.
    public var en: String
    /// Spanish.
    public var es: String

    /// Creates a text in both languages.
    public init(en: String, es: String) {
        self.en = en
        self.es = es
    }

    /// The text in `language`.
    public func text(in language: ConversationLanguage) -> String {
        switch language {
        case .en: en
        case .es: es
        }
    }
}

/// Texts that may differ by channel, with a default for the channels not named.
public struct ChannelTexts: Sendable, Equatable {
    /// Texts for named channels.
    public var byChannel: [ChannelKind: BilingualText]
    /// The texts for every other channel, if any.
    public var fallback: BilingualText?

    /// Creates per-channel texts.
    public init(byChannel: [ChannelKind: BilingualText] = [:], fallback: BilingualText?) {
        self.byChannel = byChannel
        self.fallback = fallback
    }

    /// The texts for `channel`, or `nil` if this channel gets none. The tip form takes only texts
    /// named for it (`webform:`): a number left on a report is texted only if the hotline says so.
    public func texts(for channel: ChannelKind) -> BilingualText? { byChannel[channel] ?? (channel == .webform ? nil : fallback) }
}

/// How triage compares words: lower case, accents folded (`Español` and `espanol` match), split on
/// anything that is not a letter or digit.
enum TriageWords {
    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
    }

    static func words(_ text: String) -> [Substring] {
        fold(text).split { !$0.isLetter && !$0.isNumber }
    }

    /// Whether the phrase's words occur in `words` one after another.
    static func contains(_ words: [Substring], phrase: [String]) -> Bool {
        guard !phrase.isEmpty, phrase.count <= words.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
            if zip(words[start...], phrase).allSatisfy({ $0 == $1 }) { return true }
        }
        return false
    }
}
