/// One published view of the trends: every cell of a grouping over a range of months, each a
/// count or suppressed, totals labelled `all` (regions, types) and `total` (the range).
public struct TrendView: Sendable, Equatable, Encodable {
    /// One number of the view.
    public struct Cell: Sendable, Equatable, Encodable {
        /// `2026-03`, `2026-Q1`, `2026` or `total`; `nil` when the view has no period rows.
        public var period: String?
        /// A region code or `all`; `nil` when the view is not by region.
        public var region: String?
        /// A type or `all`; `nil` when the view is not by type.
        public var type: String?
        /// The count, or `nil` when suppressed.
        public var count: Int?

        enum CodingKeys: String, CodingKey { case period, region, type, count, suppressed }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(period, forKey: .period)
            try container.encodeIfPresent(region, forKey: .region)
            try container.encodeIfPresent(type, forKey: .type)
            try container.encode(count, forKey: .count)
            try container.encode(count == nil, forKey: .suppressed)
        }
    }

    /// The grouping (`month,region,type`).
    public var by: String
    /// The first month of the range, if any month is in it.
    public var from: String?
    /// The last month of the range.
    public var to: String?
    /// The last whole month counted (later months are not reported yet).
    public var through: String
    /// The smallest count published.
    public var threshold: Int
    /// The policy file it was made under.
    public var policy: String
    /// Every cell, periods in order, then regions and types in the policy's order, totals last.
    public var cells: [Cell]

    enum CodingKeys: String, CodingKey { case by, from, to, through, threshold, policy, method, cells }

    /// How suppression works, in one sentence for readers of the report.
    public static let method = """
        Counts of 1 to threshold-1 are suppressed, with enough other cells (hierarchies of month, quarter, year; region; type) \
        that no suppressed count follows from published counts, totals or differences of periods.
        """

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(by, forKey: .by)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(through, forKey: .through)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(policy, forKey: .policy)
        try container.encode(Self.method, forKey: .method)
        try container.encode(cells, forKey: .cells)
    }
}

extension TrendTable {
    /// The view `query` asks for: cells of the lattice, and range totals that are sums of
    /// published cells (suppressed when the range cannot be made of published cells).
    public func view(_ query: TrendQuery) -> TrendView {
        let time = dimensions[0]
        let start = TrendMonth(time.labels[0])!
        let lastLeaf = lastMonth.ordinal - start.ordinal
        // Without bounds, the whole span (whole years: months after the last whole one count nothing yet).
        let from = max(query.from.map { $0.ordinal - start.ordinal } ?? 0, 0)
        let to = min(query.to.map { $0.ordinal - start.ordinal } ?? (time.leafCount - 1), time.leafCount - 1)
        var view = TrendView(
            by: query.byText, from: nil, to: nil, through: lastMonth.description, threshold: threshold, policy: policyName, cells: [])
        guard from <= to, from <= lastLeaf else { return view }
        view.from = time.labels[from]
        view.to = time.labels[to]
        var rows: [(node: Int, label: String?)] = []
        if let period = query.period {
            let level = TrendQuery.Period.allCases.firstIndex(of: period)!
            rows = time.labels.indices.filter {
                time.level[$0] == level && time.leaves[$0].lowerBound >= from && time.leaves[$0].upperBound - 1 <= to && time.leaves[$0].lowerBound <= lastLeaf
            }.map { ($0, time.labels[$0]) }
        }
        // A total over the range only when the range is a cell of the lattice (a month, quarter,
        // year, the whole span): any other range is a difference of published totals.
        if let whole = node(from: from, to: to) { rows.append((whole, query.period == nil ? nil : "total")) }
        let regions = query.byRegion ? Array(dimensions[1].labels.indices) : [dimensions[1].root]
        let types = query.byType ? Array(dimensions[2].labels.indices) : [dimensions[2].root]
        for row in rows {
            for region in regions {
                for type in types {
                    view.cells.append(TrendView.Cell(
                        period: row.label, region: query.byRegion ? dimensions[1].labels[region] : nil,
                        type: query.byType ? dimensions[2].labels[type] : nil, count: published(Nodes(row.node, region, type))))
                }
            }
        }
        return view
    }

    /// The time node covering exactly months `from...to`, if there is one.
    func node(from: Int, to: Int) -> Int? {
        let time = dimensions[0]
        return time.labels.indices.first { time.leaves[$0] == from..<(to + 1) }
    }
}
