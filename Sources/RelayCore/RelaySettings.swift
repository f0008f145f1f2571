import Foundation
import RelayStore

/// The channel rules a relay applies. Defaults are the product's; an operator may change them.
public struct RelaySettings: Sendable {
    /// How long after a survivor's last SMS a reply may go out (default 15 minutes).
    public var smsReplyWindow: TimeInterval = 15 * 60
    /// How long after a person's last email a reply may go out (default 72 hours: email is read later).
    public var emailReplyWindow: TimeInterval = 72 * 3600
    /// How long after a tip-form report that asked for a text one may go out (default 72 hours).
    public var reportTextWindow: TimeInterval = 72 * 3600
    /// The triage rules (`Policies/triage.yaml`): automatic answers, language, urgency, redirects, hours.
    public var triage: TriagePolicy = .minimal
    /// What trend reports publish and the regions advocates choose from (`Policies/trends.yaml`).
    public var trends: TrendPolicy = .builtIn
    /// How long an unused webchat session stays valid (default 2 hours); a reply needs a live one.
    public var webchatSessionIdle: TimeInterval = 2 * 60 * 60
    /// How long a webchat session lasts at most, however busy (default 24 hours): a token copied
    /// off a shared phone stops working; the survivor resumes with a phrase.
    public var webchatSessionAbsolute: TimeInterval = 24 * 60 * 60
    /// Words that, as a whole SMS body (any case), erase the sender's conversation.
    public var eraseKeywords: Set<String> = ["ERASE", "BORRAR"]
    /// The one discreet text confirming an erasure.
    public var eraseConfirmation: String = "Done. / Listo."
    /// The neutral text sent instead when a legal hold means the erasure must wait: true (it is not
    /// done yet) without telling whoever reads the phone that anything is being kept.
    public var eraseDeferredNotice: String = "Received. We will finish this as soon as we can. / Recibido. Lo terminaremos en cuanto podamos."
    /// Longest SMS body accepted, in characters (Twilio concatenates to at most 1,600).
    public var maximumSMSCharacters = 1_600
    /// Longest webchat message accepted, in characters.
    public var maximumWebchatCharacters = 4_000
    /// Argon2id cost for resume phrases.
    public var phraseHashCost: PhraseHashCost = .interactive
    /// The audit log's origin line (C2SP); `nil` derives one from the audit key's fingerprint.
    public var auditOrigin: String? = nil
    /// A file outside the database that always holds the latest signed checkpoint, so that rolling
    /// the database back is detected (`nil`: none).
    public var auditWitnessPath: String? = nil
    /// A staff session ends after this long unused (default 30 minutes)…
    public var staffSessionIdle: TimeInterval = 30 * 60
    /// …and in any case this long after login (default 12 hours).
    public var staffSessionAbsolute: TimeInterval = 12 * 3600
    /// How long an enrolment secret works (default 72 hours).
    public var enrolmentLifetime: TimeInterval = 72 * 3600
    /// Failed logins from one client at one name before that client is locked out of it (for 1,
    /// 2, 4 … up to 60 minutes; one more guess after each). Other clients are not affected.
    public var failuresBeforeLock = 5
    /// Failed logins at one account, from all clients together and with no success between, before
    /// the account itself locks for ``accountLockDuration``: a backstop against guessing from many
    /// addresses, bounded so that nobody can lock a colleague out for longer.
    public var failuresBeforeAccountLock = 50
    /// How long the backstop lock lasts (default 15 minutes).
    public var accountLockDuration: TimeInterval = 15 * 60
    /// The purposes accepted for opening or claiming a thread that is not one's own.
    public var accessPurposes: AccessPurposes = .standard
    /// The console's canned responses and wrap-up dispositions (`Policies/console.yaml`).
    public var consoleTexts: ConsoleTexts = .standard
    /// What a legal hold does to a survivor's erase request: `true` defers it until the hold is released.
    public var holdDefersSurvivorErase = true

    /// Argon2id cost presets (tests use a small one).
    public enum PhraseHashCost: Sendable {
        /// libsodium's interactive limits.
        case interactive
        /// A small cost for tests.
        case minimal
    }

    /// The defaults.
    public init() {}

    /// Carrier keywords Twilio handles itself; SafeRelay only mirrors their effect.
    public static let optOutKeywords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]
    /// Carrier keywords that undo an opt-out.
    public static let optInKeywords: Set<String> = ["START", "YES", "UNSTOP"]
}

extension RelaySettings {
    /// Checks a survivor's webchat message as ``WebchatService/send(_:text:idempotencyKey:)`` does
    /// before storing it.
    /// - Throws: `RelayError.invalidInput` for an empty or blank text, a text over
    ///   ``maximumWebchatCharacters``, or an idempotency key that is not 8 to 128 visible ASCII characters.
    public func validateWebchat(text: String, idempotencyKey: String) throws {
        guard !text.trimmingWhitespace().isEmpty else { throw RelayError.invalidInput("a message cannot be empty") }
        guard text.count <= maximumWebchatCharacters else {
            throw RelayError.invalidInput("a message is at most \(maximumWebchatCharacters) characters")
        }
        guard (8...InboundMessage.maximumDeliveryIDBytes).contains(idempotencyKey.utf8.count),
            idempotencyKey.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else { throw RelayError.invalidInput("Idempotency-Key must be 8 to 128 visible ASCII characters") }
    }
}

/// What a whole SMS body means, if it is a keyword.
public enum SMSKeyword: Equatable, Sendable {
    /// Erase my conversation.
    case erase
    /// The carrier opt-out (STOP and kin).
    case optOut
    /// The carrier opt-in (START and kin).
    case optIn

    /// Classifies a body: the whole body, trimmed, compared case-insensitively.
    public static func match(_ body: String, settings: RelaySettings) -> SMSKeyword? {
        let word = String(body.trimmingWhitespace()).uppercased()
        guard !word.isEmpty, word.count <= 16 else { return nil }
        if settings.eraseKeywords.contains(word) { return .erase }
        if RelaySettings.optOutKeywords.contains(word) { return .optOut }
        if RelaySettings.optInKeywords.contains(word) { return .optIn }
        return nil
    }
}
