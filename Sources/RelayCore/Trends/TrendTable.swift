import Foundation
import RelayStore

/// Every number a trend report can publish about one frozen period (a quarter, or a year),
/// computed once from its snapshot: the lattice of time (month, quarter[, year]) × region (each,
/// all) × type (each, all), with small cells suppressed and enough others suppressed with them
/// that none can be worked out again. Longer spans are sums of periods (``TrendReport``): a
/// witness never leaves its period, so periods are suppressed independently and never change once
/// reported.
///
/// Each count from 1 to `threshold - 1` is suppressed (primary). For each such cell not yet
/// protected, a *witness* is chosen: a change of ±1 to a few base counts (month, region, type)
/// whose sums cancel in every cell left published, and which keeps every count at least 1 where
/// it was. Every cell the witness changes is suppressed. The witness is then a second data set, as
/// valid as the real one, that publishes exactly the same numbers and differs in the small cell:
/// no view, total or difference of published numbers can tell them apart. Zeros are published
/// (a suppressed cell is never zero).
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
    /// The period it covers.
    public let period: TrendPeriod
    /// Each region's and type's node, by code.
    let regionNodes: [String: Int]
    let typeNodes: [String: Int]

    /// The lattice of one frozen period, suppressed under the snapshot's own threshold and regions.
    public init(_ snapshot: TrendSnapshot, secondarySuppression: Bool = true) {
        let period = TrendPeriod(snapshot.period) ?? TrendPeriod(TrendQuarter(year: 2000, quarter: 1)!)
        let months = period.months.map(\.description)
        let counted = snapshot.counts.filter { months.contains($0.month) && $0.count > 0 }
        var regions = snapshot.regions.filter { $0 != TrendPolicy.notRecorded }
        for count in counted where !regions.contains(count.region) && count.region != TrendPolicy.notRecorded { regions.append(count.region) }
        regions.append(TrendPolicy.notRecorded)
        var types = snapshot.types?.filter { $0 != "all" } ?? TrendKey.typeCodes
        for count in counted where !types.contains(count.type) { types.append(count.type) }
        let quarters = period.quarters.enumerated().map { ($1.description, ($0 * 3)..<($0 * 3 + 3)) }
        let time = period.quarter != nil
            ? TrendHierarchy(leafLabels: months, groups: [quarters])
            : TrendHierarchy(leafLabels: months, groups: [quarters, [(period.description, 0..<12)]])
        let region = TrendHierarchy.flat(regions)
        let type = TrendHierarchy.flat(types)
        self.dimensions = [time, region, type]
        self.strides = Nodes(region.labels.count * type.labels.count, type.labels.count, 1)
        self.threshold = snapshot.threshold
        self.period = period
        self.regionNodes = Dictionary(region.labels.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        self.typeNodes = Dictionary(type.labels.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let size = time.labels.count * strides[0]
        self.values = Array(repeating: 0, count: size)
        self.suppressed = Array(repeating: false, count: size)
        for count in counted {
            let leaves = Nodes(months.firstIndex(of: count.month)!, regionNodes[count.region]!, typeNodes[count.type]!)
            for t in time.rootChains[leaves[0]] {
                for r in region.rootChains[leaves[1]] {
                    for y in type.rootChains[leaves[2]] { values[index(Nodes(t, r, y))] += count.count }
                }
            }
        }
        for t in 0..<time.leafCount {
            for r in 0..<region.leafCount {
                for y in 0..<type.leafCount where values[index(Nodes(t, r, y))] > 0 { baseCounts.append(Nodes(t, r, y)) }
            }
        }
        if let mask = snapshot.suppressed {
            // Frozen: the decisions made then, never searched again. A mask that does not fit
            // this lattice (a damaged row, another layout) hides every count rather than guess.
            let bits = Data(base64Encoded: mask).map { Array($0) } ?? []
            let fits = snapshot.layout == TrendSnapshot.currentLayout && bits.count == (values.count + 7) / 8
            for cell in values.indices where values[cell] > 0 {
                suppressed[cell] = fits ? bits[cell / 8] & (1 << (cell % 8)) != 0 : true
            }
        } else {
            suppress(secondary: secondarySuppression)
        }
    }

    /// The suppressed cells, one bit each in index order, base64 (see ``TrendSnapshot/suppressed``).
    func suppressionMask() -> String {
        var bits = [UInt8](repeating: 0, count: (values.count + 7) / 8)
        for cell in suppressed.indices where suppressed[cell] { bits[cell / 8] |= 1 << (cell % 8) }
        return Data(bits).base64EncodedString()
    }

    /// A published count of a month or quarter (`nil`: the whole period) and a region and type
    /// code (`nil`: all), or `nil` if suppressed. A code it has no node for had no case: 0.
    public func count(time: String?, region: String?, type: String?) -> Int? {
        var nodes = Nodes(dimensions[0].root, dimensions[1].root, dimensions[2].root)
        if let time {
            guard let node = dimensions[0].labels.firstIndex(of: time) else { return 0 }
            nodes[0] = node
        }
        if let region {
            guard let leaf = regionNodes[region], leaf != dimensions[1].root else { return 0 }
            nodes[1] = leaf
        }
        if let type {
            guard let leaf = typeNodes[type], leaf != dimensions[2].root else { return 0 }
            nodes[2] = leaf
        }
        return published(nodes)
    }

    /// The region codes it has a node for (not `all`), in order.
    var regionCodes: [String] { Array(dimensions[1].labels.dropLast()) }
    /// The type codes it has a node for (not `all`), in order.
    var typeCodes: [String] { Array(dimensions[2].labels.dropLast()) }

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
