import Foundation
import RelayModel

/// The hotline's triage rules as code (`Policies/triage.yaml`, schema in `Policies/README.md`): the
/// first automatic answer, the conversation's language, urgency words, out-of-scope redirects,
/// opening hours with an after-hours answer, and how long a supervisor's block may last.
///
/// Triage decides; it sends nothing itself. The intake applies a ``TriageDecision`` in the same
/// transaction that stores the message, through the same reply rules as an advocate's reply.
public struct TriagePolicy: Sendable, Equatable {
    /// One out-of-scope route: words or a menu answer that get a kind reply with other resources.
    public struct Redirect: Sendable, Equatable {
        /// A short code (`other_help`), shown to advocates and in the audit log.
        public var id: String
        /// Phrases (folded words) that, found anywhere in a message, send the redirect.
        public var phrases: [[String]]
        /// Whole-message answers to the first answer's menu (folded), e.g. `["2", "other"]`.
        public var menuAnswers: Set<String>
        /// The reply.
        public var reply: ChannelTexts
    }

    /// The policy's name.
    public var name: String
    /// SHA-256 of the file's bytes (hex), for the record.
    public var sha256: String
    /// The language of a conversation whose first message gives no sign of one.
    public var defaultLanguage: ConversationLanguage
    /// Whole-message keywords (folded) that set a conversation's language.
    public var languageKeywords: [String: ConversationLanguage]
    /// The first automatic answer, per channel; `nil` sends none.
    public var firstAnswer: ChannelTexts?
    /// Words and phrases (folded) that raise a conversation's priority.
    public var urgencyPhrases: [[String]]
    /// Out-of-scope routes, first match wins.
    public var redirects: [Redirect]
    /// When advocates answer; `nil` means always.
    public var hours: OpeningHours?
    /// The answer a new conversation gets outside ``hours``.
    public var afterHours: ChannelTexts?
    /// A block's length when the supervisor gives none.
    public var blockDefault: TimeInterval
    /// The longest block a supervisor may place.
    public var blockLongest: TimeInterval
    /// The text a caller gets when they choose, in the voice menu, to continue by text.
    public var voiceText = BilingualText(
        en: "Hi, you asked us to text you. Reply here whenever you are ready; someone will answer. Text ERASE at any time to delete this conversation.",
        es: "Hola, nos pediste que te escribiéramos. Responde aquí cuando quieras; alguien te contestará. Envía BORRAR en cualquier momento para borrar esta conversación.")

    /// Decides what a message means for its conversation. Pure: the same input always gives the
    /// same decision, which is what `saferelay triage test` prints.
    public func evaluate(_ input: TriageInput) -> TriageDecision {
        let words = TriageWords.words(input.text)
        let whole = words.joined(separator: " ")
        var decision = TriageDecision(language: input.thread?.language ?? defaultLanguage)
        let thread = input.thread ?? TriageThreadState()

        if let chosen = languageKeywords[whole] {
            decision.language = chosen
            decision.languageChosen = true
            decision.fired.append("language.keyword:\(chosen.rawValue)")
        } else if input.thread?.language == nil, let declared = input.declaredLanguage {
            decision.language = declared
            decision.fired.append("language.declared:\(declared.rawValue)")
        } else if input.thread?.language == nil {
            if let guessed = LanguageGuess.guess(input.text) {
                decision.language = guessed
                decision.fired.append("language.detected:\(guessed.rawValue)")
            } else {
                decision.fired.append("language.default:\(defaultLanguage.rawValue)")
            }
        }

        if let phrase = urgencyPhrases.first(where: { TriageWords.contains(words, phrase: $0) }) {
            decision.urgent = true
            decision.fired.append("urgency:\(phrase.joined(separator: " "))")
        }

        // Nobody who said they are in danger — in this message or an earlier one — is redirected, nor
        // a conversation an advocate has taken up: they wait for a person.
        if !decision.urgent, thread.priority == 0, !thread.advocateReplied, !thread.answered.contains(.redirect),
            let redirect = matchingRedirect(words: words, whole: whole, thread: thread, isNew: input.thread == nil)
        {
            decision.fired.append("redirect:\(redirect.id)")
            if let texts = redirect.reply.texts(for: input.channel) {
                decision.redirect = redirect.id
                decision.answer = AutomaticAnswer(kind: .redirect, rule: redirect.id, text: texts.text(in: decision.language))
            }
        }

        if decision.answer == nil, input.thread == nil {
            if let hours, !hours.isOpen(at: input.at) {
                decision.fired.append("hours.closed")
                if let texts = afterHours?.texts(for: input.channel) {
                    decision.answer = AutomaticAnswer(kind: .afterHours, rule: "after_hours", text: texts.text(in: decision.language))
                }
            } else if let texts = firstAnswer?.texts(for: input.channel) {
                decision.answer = AutomaticAnswer(kind: .firstAnswer, rule: "first_answer", text: texts.text(in: decision.language))
            }
        }
        if let answer = decision.answer { decision.fired.append("answer:\(answer.kind.rawValue)") }
        return decision
    }

    private func matchingRedirect(words: [Substring], whole: String, thread: TriageThreadState, isNew: Bool) -> Redirect? {
        // A menu answer counts only after the menu was offered (the first answer).
        let menuOpen = !isNew && thread.answered.contains(.firstAnswer)
        return redirects.first { redirect in
            redirect.phrases.contains { TriageWords.contains(words, phrase: $0) } || (menuOpen && redirect.menuAnswers.contains(whole))
        }
    }
}

/// What triage looks at: one message, its channel and time, and its conversation so far.
public struct TriageInput: Sendable {
    /// The message.
    public var text: String
    /// Its channel.
    public var channel: ChannelKind
    /// When it arrived.
    public var at: Date
    /// The conversation it joins; `nil` when it opens a new one.
    public var thread: TriageThreadState?
    /// The language the person chose (the tip form's), if they chose one.
    public var declaredLanguage: ConversationLanguage? = nil

    /// Creates an input.
    public init(text: String, channel: ChannelKind, at: Date, thread: TriageThreadState?) {
        self.text = text
        self.channel = channel
        self.at = at
        self.thread = thread
    }
}

/// What triage needs to know about a conversation that already exists.
public struct TriageThreadState: Sendable, Equatable {
    /// Its language, once set.
    public var language: ConversationLanguage?
    /// The automatic answers it has had.
    public var answered: Set<AutomaticAnswer.Kind>
    /// Whether an advocate has replied.
    public var advocateReplied: Bool
    /// The conversation's priority so far (above 0: someone said they are in danger).
    public var priority: Int

    /// Creates a state.
    public init(language: ConversationLanguage? = nil, answered: Set<AutomaticAnswer.Kind> = [], advocateReplied: Bool = false, priority: Int = 0) {
        self.language = language
        self.answered = answered
        self.advocateReplied = advocateReplied
        self.priority = priority
    }
}

/// One automatic answer triage asks to send.
public struct AutomaticAnswer: Sendable, Equatable {
    /// Which kind; each is sent at most once per conversation.
    public enum Kind: String, Sendable, CaseIterable, Hashable {
        /// The first answer to a new conversation.
        case firstAnswer = "first_answer"
        /// The answer a new conversation gets outside opening hours.
        case afterHours = "after_hours"
        /// An out-of-scope redirect.
        case redirect
    }

    /// Which kind.
    public var kind: Kind
    /// The rule that chose it (`first_answer`, `after_hours`, or a redirect's id).
    public var rule: String
    /// The text, in the conversation's language.
    public var text: String
}

/// What triage decided for one message.
public struct TriageDecision: Sendable, Equatable {
    /// The conversation's language after this message.
    public var language: ConversationLanguage
    /// Whether the message was a language keyword.
    public var languageChosen = false
    /// Whether it raises the conversation's priority.
    public var urgent = false
    /// The redirect that sends the conversation out of the waiting queue, if any.
    public var redirect: String?
    /// The automatic answer to send, if any (the reply rules may still hold it back).
    public var answer: AutomaticAnswer?
    /// Every rule that fired, in order, for `saferelay triage test` and the logs' counts.
    public var fired: [String] = []

    /// Creates an empty decision.
    public init(language: ConversationLanguage) {
        self.language = language
    }
}
