import Foundation
import RelayModel
import RelayStore

/// What advocates record about a contact, kept across threads so nobody retells their story.
/// Stored only sealed with the contact's data key; erasing the contact destroys it.
public struct CaseRecord: Codable, Sendable, Equatable {
    /// A dated note.
    public struct Note: Codable, Sendable, Equatable {
        /// Note id.
        public var id: String
        /// Who wrote it.
        public var by: String
        /// When.
        public var at: String
        /// The note.
        public var text: String
    }

    /// A referral given and what came of it.
    public struct Referral: Codable, Sendable, Equatable {
        /// Referral id.
        public var id: String
        /// To whom (a service, not a person's contact details).
        public var to: String
        /// `worked`, `did_not` or `unknown`.
        public var outcome: String
        /// When it was given.
        public var at: String
        /// Who gave it.
        public var by: String
    }

    /// Safety considerations.
    public struct Safety: Codable, Sendable, Equatable {
        /// Whether texting is safe.
        public var safeToText: Bool?
        /// When it is safe (free text, e.g. "weekdays 9-11").
        public var safeTimes: String?
        /// The phone may be monitored.
        public var phoneMayBeMonitored: Bool
        /// Do not contact (also blocks replies on every thread of the contact).
        public var doNotContact: Bool

        /// What the relay enforces: do-not-contact, and an override for texts to a phone that may be
        /// monitored or that is not safe to text.
        public var flags: ContactSafetyFlags {
            ContactSafetyFlags(doNotContact: doNotContact, phoneMayBeMonitored: phoneMayBeMonitored, notSafeToText: safeToText == false)
        }

        /// Nothing known.
        public init(safeToText: Bool? = nil, safeTimes: String? = nil, phoneMayBeMonitored: Bool = false, doNotContact: Bool = false) {
            self.safeToText = safeToText
            self.safeTimes = safeTimes
            self.phoneMayBeMonitored = phoneMayBeMonitored
            self.doNotContact = doNotContact
        }
    }

    /// Notes, oldest first.
    public var notes: [Note] = []
    /// Referrals, oldest first.
    public var referrals: [Referral] = []
    /// Safety considerations.
    public var safety = Safety()
    /// Typology tags.
    public var tags: [String] = []
    /// The region the case concerns, from the trends policy's list (chosen, never derived from an address).
    public var region: String?
    /// Who reached out: one of ``TrendKey/whoCodes``.
    public var reachedOutBy: String?
    /// What this case adds to the trend counters now (moved when the fields change).
    public var counted: TrendKey?
    /// The month it was first counted in (`YYYY-MM`), kept even while it counts nowhere: a case
    /// cleared and recorded again counts in that month, never in two.
    public var countedSince: String?

    /// An empty record.
    public init() {}

    /// Referral outcomes.
    public static let outcomes: Set<String> = ["worked", "did_not", "unknown"]

    /// The 25 types of human trafficking of the typology the hotline uses, as tags.
    public static let typology: [String] = [
        "escort-services", "illicit-massage-health-beauty", "outdoor-solicitation", "residential", "domestic-work",
        "bars-strip-clubs-cantinas", "pornography", "traveling-sales-crews", "restaurants-food-service", "peddling-begging",
        "agriculture-animal-husbandry", "personal-sexual-servitude", "health-care", "construction", "hotels-hospitality",
        "landscaping", "illicit-activities", "arts-entertainment", "commercial-cleaning-services", "factories-manufacturing",
        "remote-interactive-sexual-acts", "carnivals", "forestry-logging", "health-beauty-services", "recreational-facilities",
    ]
}

/// A change to a case record.
public enum CaseChange: Sendable {
    /// Add a note.
    case note(String)
    /// Record a referral.
    case referral(to: String, outcome: String)
    /// Update a referral's outcome.
    case referralOutcome(id: String, outcome: String)
    /// Replace the safety considerations.
    case safety(CaseRecord.Safety)
    /// Replace the tags.
    case tags([String])
    /// Set or clear the report's fields: the region and who reached out.
    case profile(region: String?, reachedOutBy: String?)

    /// The audit action name.
    var action: String {
        switch self {
        case .note: "case.note"
        case .referral: "case.referral"
        case .referralOutcome: "case.referral_outcome"
        case .safety: "case.safety"
        case .tags: "case.tags"
        case .profile: "case.profile"
        }
    }
}
