import RelayCrypto

/// A webchat resume phrase: five proquints ("lusab-babad-gutih-tugad-mudof"), 80 random bits.
///
/// Proquints (pronounceable quintuplets: consonant-vowel-consonant-vowel-consonant, 16 bits each)
/// read the same to English and Spanish speakers and need no word list to ship or translate. A
/// keyed hash of all five words finds the record (one row), and Argon2id checks it, so that what
/// the store holds leaves 80 bits to guess without the keyring and costly guesses with it.
public enum ResumePhrase {
    static let consonants = Array("bdfghjklmnprstvz")
    static let vowels = Array("aiou")
    /// Words in a phrase.
    public static let wordCount = 5

    /// A fresh random phrase.
    public static func generate() -> String {
        let bytes = RandomToken.bytes(wordCount * 2)
        return (0..<wordCount).map { index in
            word(UInt16(bytes[2 * index]) << 8 | UInt16(bytes[2 * index + 1]))
        }.joined(separator: "-")
    }

    /// The proquint of 16 bits.
    static func word(_ value: UInt16) -> String {
        let v = Int(value)
        return String([
            consonants[(v >> 12) & 0xf], vowels[(v >> 10) & 0x3], consonants[(v >> 6) & 0xf], vowels[(v >> 4) & 0x3],
            consonants[v & 0xf],
        ])
    }

    /// The canonical words of a typed phrase (any case, any separators), or `nil` if it is not five proquints.
    public static func normalise(_ typed: String) -> [String]? {
        guard typed.utf8.count <= 200 else { return nil }
        let words = typed.lowercased().split { !$0.isLetter }.map(String.init)
        guard words.count == wordCount, words.allSatisfy(isProquint) else { return nil }
        return words
    }

    static func isProquint(_ word: String) -> Bool {
        let chars = Array(word)
        guard chars.count == 5 else { return false }
        return consonants.contains(chars[0]) && vowels.contains(chars[1]) && consonants.contains(chars[2])
            && vowels.contains(chars[3]) && consonants.contains(chars[4])
    }
}
