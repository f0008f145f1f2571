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
    /// The first month of the range (of whole quarters), if any reported quarter is in it.
    public var from: String?
    /// The last month of the range.
    public var to: String?
    /// The last month of the last period frozen (a quarter is reported once it is over), or
    /// `nil` while none is.
    public var through: String?
    /// The smallest count published.
    public var threshold: Int
    /// The policy file it was made under.
    public var policy: String
    /// Every cell, periods in order, then regions and types in the policy's order, totals last.
    public var cells: [Cell]

    enum CodingKeys: String, CodingKey { case by, from, to, through, threshold, policy, method, cells }

    /// How suppression works, in one sentence for readers of the report.
    public static let method = """
        Each period (a quarter, or a year) is frozen the first time it is reported and suppressed on its own: counts of 1 \
        to threshold-1, and enough other cells (months and quarters within it, regions, types) that none follows from \
        published counts; longer spans are sums of periods, published only when every part is.
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

/// The periods frozen so far (quarters, or years), each suppressed on its own, and every view of
/// them: months and quarters are cells of their period's lattice (a year too when years are
/// frozen); longer spans are sums of whole periods, published only when every part is (a witness
/// changes its own period's cell, so such a sum is never a function of what was published).
public struct TrendReport: Sendable {
    /// The frozen periods, oldest first.
    public let tables: [TrendTable]
    /// The regions in the order a report lists them (the current policy's, then any others).
    public let regionOrder: [String]
    /// The last month of the last frozen period (`nil`: none yet).
    public let through: TrendMonth?
    /// The current policy's name and threshold (frozen periods keep their own).
    public let policy: TrendPolicy

    /// A report over frozen periods.
    public init(tables: [TrendTable], policy: TrendPolicy, through: TrendMonth?) {
        self.tables = tables.sorted { $0.period < $1.period }
        self.policy = policy
        self.through = through
        var order = policy.regions.filter { $0 != TrendPolicy.notRecorded }
        for table in tables { for code in table.regionCodes where !order.contains(code) && code != TrendPolicy.notRecorded { order.append(code) } }
        self.regionOrder = order + [TrendPolicy.notRecorded]
    }

    /// The view `query` asks for: the months and quarters inside its range; years and the total
    /// from the frozen periods wholly inside it (a sum over part of a frozen year would be a new
    /// number its witnesses were not chosen to keep).
    public func view(_ query: TrendQuery) -> TrendView {
        var view = TrendView(by: query.byText, from: nil, to: nil, through: through?.description, threshold: policy.threshold, policy: policy.name, cells: [])
        let inside = { (month: TrendMonth) in (query.from.map { month >= $0 } ?? true) && (query.to.map { month <= $0 } ?? true) }
        let touched = tables.filter { $0.period.months.contains(where: inside) }
        let whole = touched.filter { $0.period.months.allSatisfy(inside) }
        guard let first = touched.first, let last = touched.last else { return view }
        view.from = first.period.months.first { inside($0) }!.description
        view.to = last.period.months.last { inside($0) }!.description
        var types = TrendKey.typeCodes
        for table in touched { for code in table.typeCodes where !types.contains(code) { types.append(code) } }
        let regions: [String?] = query.byRegion ? regionOrder + [nil] : [nil]
        let kinds: [String?] = query.byType ? types + [nil] : [nil]
        /// A period frozen under a lower threshold than today's shows nothing but its zeros.
        func count(_ table: TrendTable, _ time: String?, _ region: String?, _ type: String?) -> Int? {
            let count = table.count(time: time, region: region, type: type)
            return table.threshold < policy.threshold && count != 0 ? nil : count
        }
        func sum(_ tables: [TrendTable], _ region: String?, _ type: String?) -> Int? {
            var total = 0
            for table in tables {
                guard let part = count(table, nil, region, type) else { return nil }
                total += part
            }
            return total
        }
        var rows: [(label: String?, count: (String?, String?) -> Int?)] = []
        switch query.period {
        case .month?:
            for table in touched {
                for month in table.period.months where inside(month) { rows.append((month.description, { count(table, month.description, $0, $1) })) }
            }
        case .quarter?:
            for table in touched {
                for quarter in table.period.quarters where quarter.months.allSatisfy(inside) {
                    rows.append((quarter.description, { count(table, quarter.description, $0, $1) }))
                }
            }
        case .year?:
            for year in Array(Set(whole.map(\.period.year))).sorted() {
                let parts = whole.filter { $0.period.year == year }
                let quarters = parts.flatMap(\.period.quarters).map(\.quarter).sorted()
                // A year not all frozen yet says which quarters it is made of.
                let label = quarters == [1, 2, 3, 4] ? "\(year)" : "\(year) (Q\(quarters.first!)-Q\(quarters.last!))"
                rows.append((label, { sum(parts, $0, $1) }))
            }
        case nil: break
        }
        if whole.count == touched.count { rows.append((query.period == nil ? nil : "total", { sum(whole, $0, $1) })) }
        for row in rows {
            for region in regions {
                for type in kinds {
                    view.cells.append(TrendView.Cell(
                        period: row.label, region: query.byRegion ? (region ?? "all") : nil, type: query.byType ? (type ?? "all") : nil,
                        count: row.count(region, type)))
                }
            }
        }
        return view
    }
}
