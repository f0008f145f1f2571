import Foundation

/// `POST /report`: the tip form's JSON body, bounded and checked before anything is stored.
///
/// ```json
/// {"what": "…", "city": "…", "region": "…", "when": "…", "situation": "forced_work",
///  "way_back": "none" | "phrase" | "text", "phone": "+1…", "language": "en" | "es"}
/// ```
public struct ReportInput: Decodable, Sendable, Equatable {
    /// Largest body accepted, in bytes.
    public static let maximumBytes = 32 * 1024
    /// Longest description, in characters.
    public static let maximumWhatCharacters = 4_000
    /// Longest city, region or time, in characters.
    public static let maximumShortCharacters = 100
    /// The situations the form offers (mapped to the typology by the core).
    public static let situations: Set<String> = ["forced_work", "domestic_work", "commercial_sex", "online", "begging_or_crime", "unsure"]
    /// The ways back a reporter may choose.
    public static let waysBack: Set<String> = ["none", "phrase", "text"]

    /// What was seen.
    public let what: String
    /// Where: a city or town (optional).
    public let city: String?
    /// Where: a state or region (optional).
    public let region: String?
    /// When, in the reporter's words (optional).
    public let when: String?
    /// Which kind of situation, from ``situations``.
    public let situation: String
    /// How the hotline may answer: not at all, in the webchat with a resume phrase, or by text.
    public let way_back: String
    /// The number to text, only with `way_back` = `text`.
    public let phone: String?
    /// The form's language (`en`, `es`).
    public let language: String?

    /// Why a report cannot be taken, worded for the person filling the form.
    public struct Invalid: Error, Equatable, Sendable {
        /// The field at fault.
        public let field: String
        /// What is wrong.
        public let reason: String
    }

    /// Parses and checks a body.
    /// - Throws: ``JSONBody/Malformed`` for a body that is not this JSON shape, ``Invalid`` for a
    ///   field out of bounds.
    public static func parse(_ bytes: some Sequence<UInt8>) throws -> ReportInput {
        let input = try JSONBody.decode(ReportInput.self, from: bytes)
        try input.validate()
        return input
    }

    /// Checks every field's bounds.
    public func validate() throws(Invalid) {
        let what = self.what.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !what.isEmpty else { throw Invalid(field: "what", reason: "say what you saw") }
        guard what.count <= Self.maximumWhatCharacters else {
            throw Invalid(field: "what", reason: "at most \(Self.maximumWhatCharacters) characters")
        }
        for (field, value) in [("city", city), ("region", region), ("when", when)] {
            if let value, value.count > Self.maximumShortCharacters {
                throw Invalid(field: field, reason: "at most \(Self.maximumShortCharacters) characters")
            }
        }
        guard Self.situations.contains(situation) else { throw Invalid(field: "situation", reason: "choose one of the listed situations") }
        guard Self.waysBack.contains(way_back) else { throw Invalid(field: "way_back", reason: "none, phrase or text") }
        switch way_back {
        case "text":
            guard let phone, !phone.isEmpty, phone.utf8.count <= 40 else { throw Invalid(field: "phone", reason: "give a number to text") }
        default:
            guard phone == nil || phone?.isEmpty == true else { throw Invalid(field: "phone", reason: "a number is kept only to text you back") }
        }
        if let language, !["en", "es"].contains(language) { throw Invalid(field: "language", reason: "en or es") }
    }
}
