import Foundation
import RelayCrypto
import RelayModel
import Yams

extension TriagePolicy {
    /// Largest triage file accepted.
    public static let maximumBytes = 256 * 1024
    /// Longest automatic answer, in characters (one SMS as Twilio concatenates it).
    public static let maximumAnswerCharacters = 1_600

    /// The rules used when no triage file is given: language keywords and detection, today's
    /// English and Spanish urgency words, blocks of a day up to thirty; no automatic answers.
    public static let minimal = TriagePolicy(
        name: "built-in", sha256: "", defaultLanguage: .en,
        languageKeywords: ["espanol": .es, "spanish": .es, "english": .en, "ingles": .en],
        firstAnswer: nil,
        urgencyPhrases: [
            "help", "urgent", "emergency", "danger", "dangerous", "hurt", "scared", "afraid", "911", "police", "now",
            "ayuda", "urgente", "emergencia", "peligro", "miedo", "auxilio", "socorro", "policia", "ya",
        ].map { [$0] },
        redirects: [], hours: nil, afterHours: nil, blockDefault: 86_400, blockLongest: 30 * 86_400)

    /// Loads and validates a triage file.
    /// - Throws: ``PolicyError`` with the file, the line and the reason.
    public static func load(path: String) throws -> TriagePolicy {
        let file = try PolicyReader.readFile(path, maximumBytes: maximumBytes)
        return try parse(file.text, file: path, sha256: file.sha256)
    }

    /// Parses triage YAML.
    public static func parse(_ text: String, file: String, sha256: String? = nil) throws -> TriagePolicy {
        let reader = PolicyReader(file: file)
        let root = try reader.compose(text)
        let top = try reader.mapping(
            root, "the triage policy",
            allowed: ["version", "name", "language", "first_answer", "urgency", "redirects", "hours", "blocks", "voice"])
        if let version = top["version"], version.int != 1 { throw reader.error(version, "version must be 1") }
        var policy = TriagePolicy.minimal
        policy.name = try top["name"].map { try reader.string($0, "name") } ?? (file as NSString).lastPathComponent
        policy.sha256 = sha256 ?? Hex.encode(SHA256.hash(Array(text.utf8)))

        if let node = top["language"] {
            let language = try reader.mapping(node, "language", allowed: ["default", "keywords"])
            if let value = language["default"] { policy.defaultLanguage = try reader.language(value, "language.default") }
            if let keywordsNode = language["keywords"] {
                policy.languageKeywords = [:]
                for (name, list) in try reader.mapping(keywordsNode, "language.keywords", allowed: ["en", "es"]) {
                    let chosen = ConversationLanguage(rawValue: name)!
                    for item in try reader.list(list, "language.keywords.\(name)", limit: 50) {
                        let word = try reader.phrase(item, "a language keyword").joined(separator: " ")
                        // `ESPAÑOL` and `ESPANOL` are one keyword; one keyword for two languages is a mistake.
                        if let earlier = policy.languageKeywords.updateValue(chosen, forKey: word), earlier != chosen {
                            throw reader.error(item, "language keyword `\(word.prefix(30))` is given for both languages")
                        }
                    }
                }
            }
        }
        if let node = top["first_answer"] { policy.firstAnswer = try reader.channelTexts(node, "first_answer") }
        if let node = top["urgency"] {
            policy.urgencyPhrases = try reader.list(node, "urgency", limit: 500).map { try reader.phrase($0, "an urgency word") }
        }
        if let node = top["redirects"] {
            var seen = Set<String>()
            for item in try reader.list(node, "redirects", limit: 50) {
                let entry = try reader.mapping(item, "a redirect", allowed: ["id", "keywords", "menu", "reply"])
                guard let idNode = entry["id"] else { throw reader.error(item, "a redirect needs an `id`") }
                let id = try reader.string(idNode, "id")
                guard AccessPurposes.isCode(id), seen.insert(id).inserted else {
                    throw reader.error(idNode, "a redirect id is 2 to 40 lower-case letters, digits or _, used once")
                }
                let phrases = try entry["keywords"].map { try reader.list($0, "keywords", limit: 200).map { try reader.phrase($0, "a keyword") } } ?? []
                let menu = try entry["menu"].map { try reader.list($0, "menu", limit: 10).map { try reader.phrase($0, "a menu answer").joined(separator: " ") } } ?? []
                guard !phrases.isEmpty || !menu.isEmpty else { throw reader.error(item, "redirect \(id) needs `keywords` or `menu`") }
                guard let replyNode = entry["reply"] else { throw reader.error(item, "redirect \(id) needs a `reply`") }
                policy.redirects.append(Redirect(id: id, phrases: phrases, menuAnswers: Set(menu), reply: try reader.channelTexts(replyNode, "redirect \(id) reply")))
            }
        }
        if let node = top["hours"] {
            let hours = try reader.mapping(node, "hours", allowed: ["time_zone", "weekly", "after_hours"])
            guard let zoneNode = hours["time_zone"] else { throw reader.error(node, "hours needs a `time_zone` such as America/Chicago") }
            let zoneName = try reader.string(zoneNode, "time_zone")
            guard let zone = TimeZone(identifier: zoneName) else { throw reader.error(zoneNode, "`\(zoneName.prefix(40))` is not a known time zone") }
            guard let weeklyNode = hours["weekly"] else { throw reader.error(node, "hours needs `weekly`") }
            var weekly: [Int: [OpeningHours.Span]] = [:]
            for (day, value) in try reader.mapping(weeklyNode, "hours.weekly", allowed: Set(OpeningHours.dayNames)) {
                guard let spans = OpeningHours.spans(try reader.string(value, day)) else {
                    throw reader.error(value, "\(day): write `closed` or times like 09:00-17:00 (several separated by commas)")
                }
                weekly[OpeningHours.dayNames.firstIndex(of: day)! + 1] = spans
            }
            policy.hours = OpeningHours(timeZone: zone, weekly: weekly)
            guard let afterNode = hours["after_hours"] else { throw reader.error(node, "hours needs an `after_hours` answer") }
            policy.afterHours = try reader.channelTexts(afterNode, "hours.after_hours")
        }
        if let node = top["voice"] {
            let voice = try reader.mapping(node, "voice", allowed: ["text"])
            if let text = voice["text"] { policy.voiceText = try reader.bilingual(text, "voice.text") }
        }
        if let node = top["blocks"] {
            let blocks = try reader.mapping(node, "blocks", allowed: ["default", "longest"])
            if let value = blocks["default"] { policy.blockDefault = try reader.duration(value, "blocks.default") }
            if let value = blocks["longest"] { policy.blockLongest = try reader.duration(value, "blocks.longest") }
            guard policy.blockLongest <= 366 * 86_400, policy.blockDefault > 0, policy.blockDefault <= policy.blockLongest else {
                throw reader.error(node, "blocks: 0 < default <= longest <= 366d")
            }
        }
        return policy
    }
}

extension PolicyReader {
    func list(_ node: Node, _ what: String, limit: Int) throws -> [Node] {
        if case .scalar = node { return [node] }
        guard case .sequence(let items) = node else { throw error(node, "\(what) must be a list") }
        guard items.count <= limit else { throw error(node, "\(what): at most \(limit) entries") }
        return Array(items)
    }

    /// A word or phrase to match, folded into words (`ESPAÑOL` → `espanol`).
    func phrase(_ node: Node, _ what: String) throws -> [String] {
        let words = TriageWords.words(try string(node, what)).map(String.init)
        guard !words.isEmpty, words.count <= 8 else { throw error(node, "\(what) must be 1 to 8 words of letters or digits") }
        return words
    }

    func language(_ node: Node, _ what: String) throws -> ConversationLanguage {
        guard let language = ConversationLanguage(rawValue: try string(node, what)) else { throw error(node, "\(what) must be `en` or `es`") }
        return language
    }

    /// A text sent to a person: 1 to ``TriagePolicy/maximumAnswerCharacters`` characters.
    func answer(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw error(node, "\(what) must be a text") }
        let text = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...TriagePolicy.maximumAnswerCharacters).contains(text.count) else {
            throw error(node, "\(what) must be 1 to \(TriagePolicy.maximumAnswerCharacters) characters")
        }
        return text
    }

    /// `{en: …, es: …}`, both required.
    func bilingual(_ node: Node, _ what: String) throws -> BilingualText {
        let texts = try mapping(node, what, allowed: ["en", "es"])
        guard let en = texts["en"] else { throw error(node, "\(what) needs an English text (`en`)") }
        guard let es = texts["es"] else { throw error(node, "\(what) needs a Spanish text (`es`)") }
        return BilingualText(en: try answer(en, "\(what).en"), es: try answer(es, "\(what).es"))
    }

    /// `{default: {en, es}, sms: {en, es}, …}`: per channel, with a default for the others.
    func channelTexts(_ node: Node, _ what: String) throws -> ChannelTexts {
        let entries = try mapping(node, what, allowed: Set(["default"] + ChannelKind.allCases.map(\.rawValue)))
        var texts = ChannelTexts(fallback: nil)
        for (name, value) in entries {
            let text = try bilingual(value, "\(what).\(name)")
            if let channel = ChannelKind(rawValue: name) { texts.byChannel[channel] = text } else { texts.fallback = text }
        }
        return texts
    }
}
