import RelayCore

/// A case record as the advocates' API shows it, in the wire's `snake_case`. The core's
/// ``CaseRecord`` keeps its own keys: they are also its sealed-at-rest format.
struct CaseRecordAnswer: Encodable {
    struct Note: Encodable {
        let id: String
        let by: String
        let at: String
        let text: String
    }
    struct Referral: Encodable {
        let id: String
        let to: String
        let outcome: String
        let at: String
        let by: String
    }

    let notes: [Note]
    let referrals: [Referral]
    let safety: SafetyWire
    let tags: [String]
    let region: String?
    let reached_out_by: String?

    enum CodingKeys: String, CodingKey { case notes, referrals, safety, tags, region, reached_out_by }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(notes, forKey: .notes)
        try container.encode(referrals, forKey: .referrals)
        try container.encode(safety, forKey: .safety)
        try container.encode(tags, forKey: .tags)
        try container.encode(region, forKey: .region)
        try container.encode(reached_out_by, forKey: .reached_out_by)
    }

    init(_ record: CaseRecord) {
        notes = record.notes.map { Note(id: $0.id, by: $0.by, at: $0.at, text: $0.text) }
        referrals = record.referrals.map { Referral(id: $0.id, to: $0.to, outcome: $0.outcome, at: $0.at, by: $0.by) }
        safety = SafetyWire(record.safety)
        tags = record.tags
        region = record.region
        reached_out_by = record.reachedOutBy
    }
}
