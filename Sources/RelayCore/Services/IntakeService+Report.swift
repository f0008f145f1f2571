import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// The tip form's short list of situations, each mapped to the typology's tags an advocate is
/// likely to choose from (the advocate still chooses).
public enum TipSituation: String, Sendable, CaseIterable {
    case forcedWork = "forced_work"
    case domesticWork = "domestic_work"
    case commercialSex = "commercial_sex"
    case online
    case beggingOrCrime = "begging_or_crime"
    case unsure

    /// What the advocate reads.
    public var label: String {
        switch self {
        case .forcedWork: "someone made to work (farm, factory, building site, restaurant, cleaning, sales crew)"
        case .domesticWork: "someone made to work in a home"
        case .commercialSex: "someone made to sell sex"
        case .online: "someone made to appear in pictures, video or on a webcam"
        case .beggingOrCrime: "someone made to beg, peddle or commit crimes"
        case .unsure: "not sure"
        }
    }

    /// The typology's tags this situation points to (``CaseRecord/typology``).
    public var typology: [String] {
        switch self {
        case .forcedWork:
            ["agriculture-animal-husbandry", "construction", "factories-manufacturing", "restaurants-food-service", "commercial-cleaning-services",
             "traveling-sales-crews", "landscaping", "hotels-hospitality", "forestry-logging", "carnivals", "health-care", "recreational-facilities",
             "arts-entertainment"]
        case .domesticWork: ["domestic-work"]
        case .commercialSex:
            ["escort-services", "outdoor-solicitation", "residential", "illicit-massage-health-beauty", "bars-strip-clubs-cantinas",
             "personal-sexual-servitude", "health-beauty-services"]
        case .online: ["pornography", "remote-interactive-sexual-acts"]
        case .beggingOrCrime: ["peddling-begging", "illicit-activities"]
        case .unsure: []
        }
    }
}

/// A report from the tip form, checked.
public struct TipReport: Sendable {
    /// How the hotline may answer.
    public enum WayBack: Sendable, Equatable {
        /// Not at all.
        case none
        /// In the webchat, with a resume phrase shown once on the form.
        case phrase
        /// By text to this number (kept only sealed).
        case text(ContactAddress)
    }

    public var what: String
    public var city: String?
    public var region: String?
    public var when: String?
    public var situation: TipSituation
    public var wayBack: WayBack
    public var language: ConversationLanguage

    /// Creates a report.
    public init(what: String, city: String?, region: String?, when: String?, situation: TipSituation, wayBack: WayBack, language: ConversationLanguage) {
        self.what = what
        self.city = city
        self.region = region
        self.when = when
        self.situation = situation
        self.wayBack = wayBack
        self.language = language
    }

    /// The sealed message body: every field on its own line, as the advocate reads it.
    var body: String {
        func clean(_ text: String?) -> String? {
            guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        let place = [clean(city), clean(region)].compactMap { $0 }.joined(separator: ", ")
        let way = switch wayBack {
        case .none: "none (no answer possible)"
        case .phrase: "the webchat, with a resume phrase"
        case .text: "a text to the number given"
        }
        var lines = ["Tip report", "What was seen: \(what.trimmingCharacters(in: .whitespacesAndNewlines))"]
        lines.append("Where: \(place.isEmpty ? "not given" : place)")
        lines.append("When: \(clean(when) ?? "not given")")
        lines.append("Situation: \(situation.label)" + (situation.typology.isEmpty ? "" : " (typology: \(situation.typology.joined(separator: ", ")))"))
        lines.append("Way back: \(way)")
        return lines.joined(separator: "\n")
    }
}

/// What filing a report did.
public struct ReportReceipt: Sendable, Equatable {
    /// The report's thread.
    public var threadID: String
    /// True when the same submission (idempotency key) was filed before: nothing new was stored.
    public var duplicate: Bool
    /// For a way back through the webchat: the phrase, shown once and never stored in clear.
    public var resumePhrase: String?
}

extension IntakeService {
    /// Files a tip-form report: one sealed message on a new `webform` thread, in one transaction
    /// with its contact — a new anonymous one, one the webchat can resume (its phrase stored only
    /// as hashes, in the same transaction), or the texter behind the number given (kept only
    /// sealed). A repeated submission (same idempotency key) is stored once. Triage applies as
    /// to any first message (language, urgency; an automatic answer only if the policy names `webform`).
    public func fileReport(_ report: TipReport, idempotencyKey: String) async throws -> ReportReceipt {
        guard (8...InboundMessage.maximumDeliveryIDBytes).contains(idempotencyKey.utf8.count),
            idempotencyKey.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else { throw RelayError.invalidInput("Idempotency-Key must be 8 to 128 visible ASCII characters") }
        let deliveryIndex = self.deliveryIndex(channel: .webform, deliveryID: idempotencyKey)
        let now = clock.now().storeTime
        let envelope = self.envelope
        var phrase: (text: String, lookup: [UInt8], hash: String)? = nil
        if report.wayBack == .phrase {
            let text = ResumePhrase.generate()
            let words = ResumePhrase.normalise(text)!
            let webchat = WebchatService(context: context)
            phrase = (text, webchat.phraseLookup(words), try await phraseHashing.hash(words.joined(separator: "-"), with: webchat.phraseHasher))
        }
        let address: ContactAddress = switch report.wayBack {
        case .none: .anonymousReport()
        case .phrase: try .webchat(contactKey: RandomToken.identifier())
        case .text(let phone): phone
        }
        let addressIndex = self.addressIndex(address)
        let stored = phrase
        let receipt: IngestReceipt
        do {
            // Triage reads what the person wrote, not the report's own labels.
            receipt = try await storeInbound(
                body: Array(report.body.utf8), channel: .webform, deliveryIndex: deliveryIndex, at: now, declaredLanguage: report.language,
                triageText: report.what
            ) { writer in
                if case .text = report.wayBack, let known = try await writer.contact(addressIndex: addressIndex) { return known }
                let contact = try await Self.newContact(address: address, addressIndex: addressIndex, now: now, envelope: envelope, writer: writer)
                if let stored {
                    try await writer.upsert(ResumePhraseRecord(contactID: contact.id, lookupIndex: Data(stored.lookup), phraseHash: stored.hash, createdAt: now))
                }
                return contact
            }
        } catch RelayError.contactBlocked {
            // A number a supervisor blocked: answered like any report (a web visitor must not learn
            // that a number has a history with the hotline), nothing stored but the submission's
            // keyed hash, so that a retry is answered as a repeat, like any report's.
            try await store.write { try await $0.markHandled(deliveryIndex: deliveryIndex, at: now) }
            logger.info("tip report from a blocked contact dropped")
            return ReportReceipt(threadID: "", duplicate: false, resumePhrase: nil)
        }
        // The same submission again, soon after (its answer was lost on the way): whoever holds the
        // key sent the report, so a way back through the webchat gets a fresh phrase (the earlier one
        // stops working) — only within ten minutes of filing, before anyone has used the way back,
        // and for a key long enough not to be guessed.
        if receipt.duplicate, let phrase, !receipt.contactID.isEmpty, idempotencyKey.utf8.count >= 16 {
            let contactID = receipt.contactID
            let threadID = receipt.threadID
            let reissued = try await store.write { writer -> Bool in
                guard let contact = try await writer.contact(id: contactID), contact.channel == .webchat, contact.key != nil,
                    let thread = try await writer.thread(id: threadID), now - thread.openedAt <= 10 * 60 * 1000,
                    try await !writer.hasWebchatSession(contactID: contactID, seenSince: 0)
                else { return false }
                try await writer.upsert(ResumePhraseRecord(contactID: contactID, lookupIndex: Data(phrase.lookup), phraseHash: phrase.hash, createdAt: now))
                return true
            }
            return ReportReceipt(threadID: receipt.threadID, duplicate: true, resumePhrase: reissued ? phrase.text : nil)
        }
        logger.info("tip report filed", metadata: ["thread.id": "\(receipt.threadID)", "duplicate": "\(receipt.duplicate)"])
        return ReportReceipt(threadID: receipt.threadID, duplicate: receipt.duplicate, resumePhrase: receipt.duplicate ? nil : phrase?.text)
    }
}
