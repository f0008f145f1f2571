/// How a small cell is protected: see ``TrendTable``.
extension TrendTable {
    /// A change of ±1 to some base counts: every cell whose sum it changes (with the sign of the
    /// change), and what suppressing them costs (the counts newly hidden, weighted by ``weight(_:)``,
    /// and how many cells).
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
        var best: Witness?
        func consider(_ candidate: Witness?) {
            guard let candidate else { return }
            if let current = best, (current.cost, current.added) <= (candidate.cost, candidate.added) { return }
            best = candidate
        }
        let subsets = stride(from: varying.count, through: 1, by: -1).flatMap { Self.subsets(of: varying, size: $0) }
        // A pairing in some dimensions, one leaf in the others: cheap to try, and enough wherever
        // the data is not sparse. One that hides nothing more is as good as it gets.
        for paired in subsets {
            let options = (0..<3).map { paired.contains($0) ? pairOptions(cell, $0) : fixedOptions(cell, $0) }
            if options.contains(where: \.isEmpty) { continue }
            for x in options[0] {
                for y in options[1] {
                    for z in options[2] { consider(evaluate([x, y, z])) }
                }
            }
            if best?.cost == 0 { return best! }
        }
        // Corners free to take their own leaf in the unpaired dimensions (a region whose cases
        // are all of a type nobody else has), when no pairing came free.
        for paired in subsets where paired.count < 3 {
            for candidate in freeWitnesses(for: cell, paired: paired) { consider(candidate) }
            if best?.cost == 0 { return best! }
        }
        if let best { return best }
        // Two base counts, one inside the cell and one outside it, as a last resort before the
        // fallback (which hides every total above one base count).
        for candidate in swaps(for: cell) { consider(candidate) }
        return best ?? fallback(cell)
    }

    /// Witnesses that move one case from a base count inside the cell to one outside it that
    /// differs in one dimension (else in two): every cell holding exactly one of them changes.
    func swaps(for cell: [Int]) -> [Witness] {
        let inside = { (base: [Int]) in (0..<3).allSatisfy { self.dimensions[$0].leaves[cell[$0]].contains(base[$0]) } }
        let own = baseCounts.filter(inside).sorted { values[index($0)] > values[index($1)] }.prefix(2)
        var witnesses: [Witness] = []
        for u in own {
            for differing in [1, 2] {
                for v in baseCounts where !inside(v) && (0..<3).filter({ u[$0] != v[$0] }).count == differing {
                    if let witness = evaluate(corners: [(u, 1), (v, -1)]) { witnesses.append(witness) }
                }
                if !witnesses.isEmpty { break }
            }
        }
        return witnesses
    }

    /// Pairings in the `paired` dimensions whose corners each take their own largest base count in
    /// the other dimensions (inside the cell's nodes there): where no one leaf of a dimension has
    /// cases at every corner (a region whose cases are all of one type nobody else has).
    func freeWitnesses(for cell: [Int], paired: [Int]) -> [Witness] {
        let options = paired.map { pairOptions(cell, $0) }
        guard !options.contains(where: \.isEmpty) else { return [] }
        let free = (0..<3).filter { !paired.contains($0) }
        var witnesses: [Witness] = []
        func choose(_ depth: Int, _ chosen: [Option]) {
            guard depth == options.count else {
                for option in options[depth] { choose(depth + 1, chosen + [option]) }
                return
            }
            var partial: [(coordinates: [Int], sign: Int)] = [([0, 0, 0], 1)]
            for (position, d) in paired.enumerated() {
                partial = partial.flatMap { corner in
                    chosen[position].corners.map { pick in
                        var coordinates = corner.coordinates
                        coordinates[d] = pick.leaf
                        return (coordinates, corner.sign * pick.sign)
                    }
                }
            }
            var corners: [(base: [Int], sign: Int)] = []
            for corner in partial {
                guard let base = largestBase(filling: free, of: corner.coordinates, inside: cell) else { return }
                corners.append((base, corner.sign))
            }
            if let witness = evaluate(corners: corners) { witnesses.append(witness) }
        }
        choose(0, [])
        return witnesses
    }

    /// The base count with the most cases among those agreeing with `coordinates` except in the
    /// `free` dimensions, which range over the cell's nodes; `nil` if all are empty.
    func largestBase(filling free: [Int], of coordinates: [Int], inside cell: [Int]) -> [Int]? {
        var best: (base: [Int], value: Int)?
        func fill(_ position: Int, _ base: [Int]) {
            guard position < free.count else {
                let value = values[index(base)]
                if value > (best?.value ?? 0) { best = (base, value) }
                return
            }
            for leaf in dimensions[free[position]].leaves[cell[free[position]]] {
                var next = base
                next[free[position]] = leaf
                fill(position + 1, next)
            }
        }
        fill(0, coordinates)
        return best?.base
    }

    /// The witness changing these base counts by these amounts, if it is valid (see
    /// ``evaluate(_:)``), whatever their pattern.
    func evaluate(corners: [(base: [Int], sign: Int)]) -> Witness? {
        var sums: [Int: Int] = [:]
        for corner in corners {
            guard values[index(corner.base)] >= 1 else { return nil }
            let chains = (0..<3).map { dimensions[$0].chain(from: corner.base[$0], to: dimensions[$0].root) }
            for t in chains[0] {
                for r in chains[1] {
                    for y in chains[2] { sums[index([t, r, y]), default: 0] += corner.sign }
                }
            }
        }
        var cells: [(index: Int, factor: Int)] = []
        var canRaise = true
        var canLower = true
        var cost = 0
        var added = 0
        for (cell, factor) in sums.sorted(by: { $0.key < $1.key }) where factor != 0 {
            if values[cell] < 1 + abs(factor) {
                if factor < 0 { canRaise = false } else { canLower = false }
            }
            if !suppressed[cell] {
                cost += values[cell] * weight(cell)
                added += 1
            }
            cells.append((cell, factor))
        }
        guard canRaise || canLower else { return nil }
        return Witness(cells: cells, cost: cost, added: added)
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
                        cost += values[cell] * weight(cell)
                        added += 1
                    }
                    cells.append((cell, factor))
                }
            }
        }
        guard canRaise || canLower else { return nil }
        return Witness(cells: cells, cost: cost, added: added)
    }

    /// How much hiding a cell costs per case: 4 to the power of its levels summed (a quarter's
    /// total over every region and type is worth more to readers than one region's month).
    func weight(_ cell: Int) -> Int {
        let nodes = nodes(of: cell)
        return 1 << (2 * (0..<3).map { dimensions[$0].level[nodes[$0]] }.reduce(0, +))
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
