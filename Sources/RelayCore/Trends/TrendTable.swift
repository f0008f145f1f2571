import RelayStore

/// Every number a trend report can publish, computed once from the counters: the lattice of
/// time (month, quarter, year, all) × region (each, all) × type (each, all), with small cells
/// suppressed and enough others suppressed with them that none can be worked out again.
///
/// Each count from 1 to `threshold - 1` is suppressed (primary). For each such cell not yet
/// protected, a *witness* is chosen: a change of ±1 to a few base counts (month, region, type)
/// whose sums cancel in every cell left published, and which keeps every count at least 1 where
/// it was. Every cell the witness changes is suppressed. The witness is then a second data set, as
/// valid as the real one, that publishes exactly the same numbers and differs in the small cell:
/// no view, total or difference of published numbers can tell them apart. Zeros are published
/// (a suppressed cell is never zero). Every number a view shows is a cell of this one lattice
/// (a total over a range only when the range is a month, a quarter, a year or the whole span),
/// so no query, and no pair of queries, adds a number the lattice did not already hold.
public struct TrendTable: Sendable {
    /// A cell's node in each dimension (time, region, type): no allocation, unlike an array.
    typealias Nodes = SIMD3<Int>

    let dimensions: [TrendHierarchy]
    let strides: Nodes
    /// Each cell's count.
    var values: [Int]
    /// Each cell: suppressed (primary or secondary).
    var suppressed: [Bool]
    /// Every base count (month, region, type leaves) above zero, in index order.
    var baseCounts: [Nodes] = []
    /// The smallest count published.
    public let threshold: Int
    /// The last whole month counted.
    public let lastMonth: TrendMonth
    /// The policy's name and hash (for the audit log and the report).
    public let policyName: String

    /// The lattice of `counts` up to and including `lastMonth` (later months are not counted:
    /// a month is reported once it is over), suppressed for `policy`.
    public init(counts: [TrendCount], policy: TrendPolicy, lastMonth: TrendMonth, secondarySuppression: Bool = true) {
        let counted = counts.compactMap { count -> (TrendMonth, TrendCount)? in
            guard let month = TrendMonth(count.month), month <= lastMonth, count.count > 0 else { return nil }
            return (month, count)
        }
        let firstYear = counted.map(\.0.year).min() ?? lastMonth.year
        var regions = policy.regions
        for (_, count) in counted where !regions.contains(count.region) && count.region != TrendPolicy.notRecorded { regions.append(count.region) }
        regions.append(TrendPolicy.notRecorded)
        var types = TrendKey.typeCodes
        for (_, count) in counted where !types.contains(count.type) { types.append(count.type) }
        let time = TrendHierarchy.months(firstYear: firstYear, lastYear: lastMonth.year)
        let region = TrendHierarchy.flat(regions)
        let type = TrendHierarchy.flat(types)
        self.dimensions = [time, region, type]
        self.strides = Nodes(region.labels.count * type.labels.count, type.labels.count, 1)
        self.threshold = policy.threshold
        self.lastMonth = lastMonth
        self.policyName = policy.name
        let size = time.labels.count * strides[0]
        self.values = Array(repeating: 0, count: size)
        self.suppressed = Array(repeating: false, count: size)
        let regionIndex = Dictionary(uniqueKeysWithValues: regions.enumerated().map { ($1, $0) })
        let typeIndex = Dictionary(uniqueKeysWithValues: types.enumerated().map { ($1, $0) })
        for (month, count) in counted {
            let leaves = [(month.year - firstYear) * 12 + month.month - 1, regionIndex[count.region]!, typeIndex[count.type]!]
            let chains = (0..<3).map { dimensions[$0].chain(from: leaves[$0], to: dimensions[$0].root) }
            for t in chains[0] { for r in chains[1] { for y in chains[2] { values[t * strides[0] + r * strides[1] + y] += count.count } } }
        }
        for t in 0..<time.leafCount {
            for r in 0..<region.leafCount {
                for y in 0..<type.leafCount where values[t * strides[0] + r * strides[1] + y] > 0 { baseCounts.append(Nodes(t, r, y)) }
            }
        }
        suppress(secondary: secondarySuppression)
    }

    /// The cell at these nodes (time, region, type).
    func index(_ nodes: Nodes) -> Int { (nodes &* strides).wrappedSum() }

    /// The nodes of a cell.
    func nodes(of index: Int) -> Nodes { Nodes(index / strides[0], (index % strides[0]) / strides[1], index % strides[1]) }

    /// A published count, or `nil` if suppressed.
    func published(_ nodes: Nodes) -> Int? {
        let cell = index(nodes)
        return suppressed[cell] ? nil : values[cell]
    }

    /// The levels of a cell's nodes summed (0 for a base count).
    func levels(of cell: Int) -> Int {
        let nodes = nodes(of: cell)
        return dimensions[0].level[nodes[0]] + dimensions[1].level[nodes[1]] + dimensions[2].level[nodes[2]]
    }

    /// Suppresses every small cell and, unless told not to (a test shows what that would leak),
    /// a witness's cells for each.
    mutating func suppress(secondary: Bool) {
        var primaries = values.indices.filter { values[$0] > 0 && values[$0] < threshold }
        for cell in primaries { suppressed[cell] = true }
        guard secondary else { return }
        // Wider cells first: their witnesses reach down and protect many finer cells at once.
        let width = primaries.map { cell in levels(of: cell) }
        let order = primaries.indices.sorted { width[$0] != width[$1] ? width[$0] > width[$1] : primaries[$0] < primaries[$1] }
        primaries = order.map { primaries[$0] }
        var protected = Array(repeating: false, count: values.count)
        for cell in primaries where !protected[cell] {
            for (affected, _) in cells(of: witness(for: nodes(of: cell))) {
                suppressed[affected] = true
                protected[affected] = true
            }
        }
    }
}
