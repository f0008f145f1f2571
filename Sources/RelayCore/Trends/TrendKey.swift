import RelayStore

/// What one case adds to the trend counters: the month it was first counted (the advocate's first
/// record of a region, who reached out or a type — in practice the month the person reached out)
/// and the coarse fields an advocate chose. Kept inside the sealed case record, so that a change moves exactly
/// the count it added before; the counters themselves hold no id.
public struct TrendKey: Codable, Sendable, Equatable {
    /// `YYYY-MM` (UTC) of the first count.
    public var month: String
    /// A region code or `not-recorded`.
    public var region: String
    /// A typology tag, `several` or `not-recorded`.
    public var type: String
    /// The channel of the contact.
    public var channel: String
    /// Who reached out or `not-recorded`.
    public var who: String

    /// Who can reach out, as an advocate records it.
    public static let whoCodes = ["survivor", "family-or-friend", "community-member", "professional", "other"]
    /// A case with more than one typology tag counts once, here (a case is one row in every count).
    public static let several = "several"
    /// Every type a count can have: the typology, `several`, `not-recorded`.
    public static let typeCodes = CaseRecord.typology + [several, TrendPolicy.notRecorded]

    /// The key of a case record, or `nil` while it has none of the report's fields.
    public static func of(_ record: CaseRecord, month: TrendMonth, channel: String) -> TrendKey? {
        guard record.region != nil || record.reachedOutBy != nil || !record.tags.isEmpty else { return nil }
        let type = record.tags.count > 1 ? several : (record.tags.first ?? TrendPolicy.notRecorded)
        return TrendKey(
            month: month.description, region: record.region ?? TrendPolicy.notRecorded, type: type, channel: channel,
            who: record.reachedOutBy ?? TrendPolicy.notRecorded)
    }

    /// As a counter key.
    var counter: TrendCount { TrendCount(month: month, region: region, type: type, channel: channel, who: who, count: 1) }
}
