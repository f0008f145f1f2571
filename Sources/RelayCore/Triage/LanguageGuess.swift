import Foundation
import RelayModel

/// A small guess at a first message's language from its common words: enough to answer in the
/// language someone wrote in, never a reason to refuse anything. `nil` when the words say nothing.
enum LanguageGuess {
    static let spanish: Set<String> = [
        "hola", "ayuda", "ayudame", "necesito", "por", "favor", "que", "estoy", "tengo", "quiero", "gracias", "una", "uno",
        "el", "la", "los", "las", "es", "esta", "con", "para", "pero", "como", "donde", "mi", "yo", "me", "no", "si", "soy",
        "puedo", "trabajo", "jefe", "dinero", "casa", "miedo", "buenas", "buenos", "dias", "tardes", "noches", "alguien",
        "de", "en", "y", "a", "un", "del", "al", "muy", "nada", "ahora", "aqui",
    ]
    static let english: Set<String> = [
        "hi", "hello", "help", "need", "please", "the", "i", "im", "am", "is", "are", "my", "me", "you", "and", "to", "of",
        "can", "want", "work", "boss", "money", "home", "scared", "someone", "thanks", "thank", "with", "for", "but", "how",
        "where", "what", "it", "this", "that", "have", "not", "no", "a", "an", "in", "on", "now", "here",
    ]

    static func guess(_ text: String) -> ConversationLanguage? {
        var spanishScore = text.contains(where: { "¿¡ñÑ".contains($0) }) ? 2 : 0
        var englishScore = 0
        for word in TriageWords.words(text) {
            let word = String(word)
            if spanish.contains(word) { spanishScore += 1 }
            if english.contains(word) { englishScore += 1 }
        }
        if spanishScore > englishScore { return .es }
        if englishScore > spanishScore { return .en }
        return nil
    }
}
