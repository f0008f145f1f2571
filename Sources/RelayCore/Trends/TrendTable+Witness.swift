/// How a small cell is protected: see ``TrendTable``.
extension TrendTable {
    /// A change of ±1 to some base counts: every cell whose sum it changes (with the sign of the
    /// change), and what suppressing them costs (the counts newly hidden, how many cells).
    struct Witness {
        var cells: [(index: Int, factor: Int)]
        var cost: Int
        var added: Int
    }

    /// One dimension's part of a witness: the nodes whose sums change, and the leaves changed.
    struct Option {
        var nodes: [(node: Int, factor: Int)]
        var corners: [(leaf: Int, sign: Int)]
    }

    /// The cheapest witness found for the cell at `cell`: in every dimension where the cell is not
    /// `all`, a leaf inside it paired with a leaf in a sibling (so the parent's sum does not
    /// change); in the others, one leaf inside it. Dimensions are dropped from the pairing (their
    /// totals then change too, and are suppressed) only when no pairing keeps every count valid.
    func witness(for cell: [Int]) -> Witness {
        let varying = (0..<3).filter { cell[$0] != dimensions[$0].root }
        for size in stride(from: varying.count, through: 0, by: -1) {
            var best: Witness?
            for paired in Self.subsets(of: varying, size: size) {
                let options = (0..<3).map { paired.contains($0) ? pairOptions(cell, $0) : fixedOptions(cell, $0) }
                if options.contains(where: \.isEmpty) { continue }
                for x in options[0] {
                    for y in options[1] {
                        for z in options[2] {
                            guard let candidate = evaluate([x, y, z]) else { continue }
                            if let current = best, (current.cost, current.added) <= (candidate.cost, candidate.added) { continue }
                            best = candidate
                        }
                    }
                }
            }
            if let best { return best }
        }
        return fallback(cell)
    }

    /// The witness these options make, if it is valid: every base count it changes is at least 1,
    /// and in one direction (all +1 or all -1 flipped) no cell it lowers drops below 1.
    func evaluate(_ options: [Option]) -> Witness? {
        for x in options[0].corners {
            for y in options[1].corners {
                for z in options[2].corners where values[index([x.leaf, y.leaf, z.leaf])] < 1 { return nil }
            }
        }
        var cells: [(index: Int, factor: Int)] = []
        var canRaise = true
        var canLower = true
        var cost = 0
        var added = 0
        for x in options[0].nodes {
            for y in options[1].nodes {
                for z in options[2].nodes {
                    let cell = index([x.node, y.node, z.node])
                    let factor = x.factor * y.factor * z.factor
                    if values[cell] < 2 {
                        if factor < 0 { canRaise = false } else { canLower = false }
                    }
                    if !suppressed[cell] {
                        cost += values[cell]
                        added += 1
                    }
                    cells.append((cell, factor))
                }
            }
        }
        guard canRaise || canLower else { return nil }
        return Witness(cells: cells, cost: cost, added: added)
    }

    /// Pairings in dimension `d`: a leaf inside the cell's node with a leaf inside a sibling node.
    func pairOptions(_ cell: [Int], _ d: Int) -> [Option] {
        let hierarchy = dimensions[d]
        let value = { (node: Int) -> Int in var nodes = cell; nodes[d] = node; return values[index(nodes)] }
        let hidden = { (node: Int) -> Int in var nodes = cell; nodes[d] = node; return suppressed[index(nodes)] ? 0 : 1 }
        let own = topLeaves(under: cell[d], of: hierarchy, value: value, limit: 2)
        let siblings = hierarchy.siblings(of: cell[d]).filter { value($0) > 0 }
            .sorted { (hidden($0), value($0), $0) < (hidden($1), value($1), $1) }.prefix(6)
        var options: [Option] = []
        for a in own {
            for sibling in siblings {
                for b in topLeaves(under: sibling, of: hierarchy, value: value, limit: 1) {
                    options.append(Option(
                        nodes: hierarchy.chain(from: a, to: cell[d]).map { ($0, 1) } + hierarchy.chain(from: b, to: sibling).map { ($0, -1) },
                        corners: [(a, 1), (b, -1)]))
                }
            }
        }
        return options
    }

    /// One leaf inside the cell's node in dimension `d` (every node up to `all` changes).
    func fixedOptions(_ cell: [Int], _ d: Int) -> [Option] {
        let hierarchy = dimensions[d]
        let value = { (node: Int) -> Int in var nodes = cell; nodes[d] = node; return values[index(nodes)] }
        return topLeaves(under: cell[d], of: hierarchy, value: value, limit: 3).map { leaf in
            Option(nodes: hierarchy.chain(from: leaf, to: hierarchy.root).map { ($0, 1) }, corners: [(leaf, 1)])
        }
    }

    /// Up to `limit` leaves under `node` with a count, largest first.
    func topLeaves(under node: Int, of hierarchy: TrendHierarchy, value: (Int) -> Int, limit: Int) -> [Int] {
        Array(hierarchy.leaves[node].filter { value($0) > 0 }.sorted { (value($0), -$0) > (value($1), -$1) }.prefix(limit))
    }

    /// The witness that always exists: one base count inside the cell (the largest) raised by 1,
    /// and every cell above it suppressed.
    func fallback(_ cell: [Int]) -> Witness {
        var best = (value: 0, leaves: [0, 0, 0])
        for t in dimensions[0].leaves[cell[0]] {
            for r in dimensions[1].leaves[cell[1]] {
                for y in dimensions[2].leaves[cell[2]] where values[index([t, r, y])] > best.value { best = (values[index([t, r, y])], [t, r, y]) }
            }
        }
        var cells: [(index: Int, factor: Int)] = []
        for t in dimensions[0].chain(from: best.leaves[0], to: dimensions[0].root) {
            for r in dimensions[1].chain(from: best.leaves[1], to: dimensions[1].root) {
                for y in dimensions[2].chain(from: best.leaves[2], to: dimensions[2].root) { cells.append((index([t, r, y]), 1)) }
            }
        }
        return Witness(cells: cells, cost: 0, added: 0)
    }

    /// The subsets of `items` with `size` members, in order.
    static func subsets(of items: [Int], size: Int) -> [[Int]] {
        guard size > 0 else { return [[]] }
        guard items.count >= size else { return [] }
        var result: [[Int]] = []
        for (offset, first) in items.enumerated() {
            for rest in subsets(of: Array(items[(offset + 1)...]), size: size - 1) { result.append([first] + rest) }
        }
        return result
    }
}
