import Foundation
@testable import RelayCore

/// An attacker who reads every number a set of trend views published and tries to work out a
/// suppressed one exactly from them: totals, differences of ranges and periods, any linear
/// combination at all. Knows nothing of how cells were chosen: it reads labels, as a person would.
///
/// The unknowns are the base counts (month × region × type) no view published; every published
/// number is an equation over base counts. A suppressed number is recovered exactly when its
/// vector over the unknowns lies in the span of the published equations (checked by elimination
/// modulo the prime 2^31 - 1, exact arithmetic: a combination over the rationals shows up there too
/// unless the prime divides one of its denominators).
struct TrendAttack {
    static let prime: Int = 2_147_483_647
    let months: [String]
    let regions: [String]
    let types: [String]
    /// Base counts a view published as themselves.
    var known: [Int: Int] = [:]
    /// Every published number: its base cells and value.
    var equations: [Set<Int>: Int] = [:]
    /// Every number shown suppressed: its base cells and a label.
    var targets: [Set<Int>: String] = [:]

    init(months: [String], regions: [String], types: [String]) {
        self.months = months
        self.regions = regions
        self.types = types
    }

    func base(_ month: Int, _ region: Int, _ type: Int) -> Int { (month * regions.count + region) * types.count + type }

    /// Reads a view: each cell becomes an equation (published) or a target (suppressed).
    mutating func read(_ view: TrendView) {
        guard let from = view.from.flatMap({ months.firstIndex(of: $0) }), let to = view.to.flatMap({ months.firstIndex(of: $0) }),
            let through = view.through.flatMap({ months.firstIndex(of: $0) })
        else { return }
        for cell in view.cells {
            let monthRange: [Int]
            switch cell.period {
            case nil, "total": monthRange = Array(from...to)
            case let label? where label.contains(" (Q"):
                // A year not all frozen: "2026 (Q1-Q2)".
                let quarters = label.split(separator: "Q").dropFirst().map { Int($0.prefix(1))! }
                let first = months.firstIndex(of: "\(label.prefix(4))-\(String(format: "%02d", (quarters[0] - 1) * 3 + 1))")!
                monthRange = Array(first..<(first + 3 * (quarters[1] - quarters[0] + 1)))
            case let label? where label.contains("-Q"):
                let first = months.firstIndex(of: "\(label.prefix(4))-\(String(format: "%02d", (Int(label.suffix(1))! - 1) * 3 + 1))")!
                monthRange = Array(first..<(first + 3))
            case let label? where label.count == 4:
                let first = months.firstIndex(of: "\(label)-01")!
                monthRange = Array(first..<(first + 12))
            case let label?: monthRange = [months.firstIndex(of: label)!]
            }
            let regionRange = cell.region.map { $0 == "all" ? Array(regions.indices) : [regions.firstIndex(of: $0)!] } ?? Array(regions.indices)
            let typeRange = cell.type.map { $0 == "all" ? Array(types.indices) : [types.firstIndex(of: $0)!] } ?? Array(types.indices)
            var cells = Set<Int>()
            // Months after `through` are not in any published number (they are not reported yet).
            for m in monthRange where m <= through { for r in regionRange { for t in typeRange { cells.insert(base(m, r, t)) } } }
            if let count = cell.count {
                equations[cells] = count
                if cells.count == 1 { known[cells.first!] = count }
            } else {
                targets[cells] = "\(cell.period ?? "range") \(cell.region ?? "all") \(cell.type ?? "all")"
            }
        }
    }

    /// The suppressed numbers recovered exactly, with their values worked out where asked.
    func recovered() -> [String] {
        // Unknown base cells: every one not published as itself.
        var unknownIndex: [Int: Int] = [:]
        for set in Array(equations.keys) + Array(targets.keys) {
            for cell in set where known[cell] == nil && unknownIndex[cell] == nil { unknownIndex[cell] = unknownIndex.count }
        }
        let size = unknownIndex.count
        var basis: [[Int]?] = Array(repeating: nil, count: size)
        func vector(_ set: Set<Int>) -> [Int] {
            var v = Array(repeating: 0, count: size)
            for cell in set { if let i = unknownIndex[cell] { v[i] = 1 } }
            return v
        }
        /// Reduces `v` by the basis; returns the index of its leading term if it is not in the span.
        func reduce(_ v: inout [Int]) -> Int? {
            var j = 0
            while j < size {
                if v[j] != 0 {
                    guard let row = basis[j] else { return j }
                    let factor = v[j]
                    for k in j..<size where row[k] != 0 { v[k] = ((v[k] - factor * row[k]) % Self.prime + Self.prime) % Self.prime }
                }
                j += 1
            }
            return nil
        }
        for set in equations.keys {
            var v = vector(set)
            guard let lead = reduce(&v) else { continue }
            let inverse = Self.inverse(v[lead])
            basis[lead] = v.map { $0 * inverse % Self.prime }
        }
        var found: [String] = []
        // A number one report shows suppressed and another published (a later, stricter policy
        // hides what an earlier one showed) is public, not recovered.
        for (set, label) in targets where equations[set] == nil {
            var v = vector(set)
            if reduce(&v) == nil { found.append(label) }
        }
        return found.sorted()
    }

    static func inverse(_ a: Int) -> Int {
        var result = 1
        var base = a % prime
        var exponent = prime - 2
        while exponent > 0 {
            if exponent & 1 == 1 { result = result * base % prime }
            base = base * base % prime
            exponent >>= 1
        }
        return result
    }
}
