/// How a small cell is protected: see ``TrendTable``.
extension TrendTable {
    /// A change of ±1 to some base counts: every cell whose sum it changes (with the sign of the
    /// change), and what suppressing them costs (the counts newly hidden, weighted by ``weight(_:)``,
    /// and how many cells).
    struct Witness {
        /// A pairing (one option per dimension), or any base counts with their changes.
        enum Shape {
            case product([Option])
            case cells([(index: Int, factor: Int)])
        }
        var shape: Shape
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
    func witness(for cell: Nodes) -> Witness {
        let varying = (0..<3).filter { cell[$0] != dimensions[$0].root }
        var best: Witness?
        func consider(_ candidate: Witness?) {
            guard let candidate else { return }
            if let current = best, (current.cost, current.added) <= (candidate.cost, candidate.added) { return }
            best = candidate
        }
        let subsets = stride(from: varying.count, through: 1, by: -1).flatMap { Self.subsets(of: varying, size: $0) }
        let pairs = (0..<3).map { varying.contains($0) ? pairOptions(cell, $0) : [] }
        let fixed = (0..<3).map { fixedOptions(cell, $0) }
        // A pairing in some dimensions, one leaf in the others: cheap to try, and enough wherever
        // the data is not sparse. One that hides nothing more is as good as it gets.
        for paired in subsets {
            let options = (0..<3).map { paired.contains($0) ? pairs[$0] : fixed[$0] }
            if options.contains(where: \.isEmpty) { continue }
            for x in options[0] {
                for y in options[1] {
                    for z in options[2] {
                        guard let (cost, added) = price(x, y, z) else { continue }
                        if let current = best, (current.cost, current.added) <= (cost, added) { continue }
                        best = Witness(shape: .product([x, y, z]), cost: cost, added: added)
                    }
                }
            }
            if best?.cost == 0 { return best! }
        }
        // Corners free to take their own leaf in the one unpaired dimension (a region whose cases
        // are all of a type nobody else has), when no pairing came free; in two, when none came at all.
        for paired in subsets where paired.count == 2 || (paired.count == 1 && best == nil) {
            for candidate in freeWitnesses(for: cell, paired: paired, options: pairs) { consider(candidate) }
            if best?.cost == 0 { return best! }
        }
        if let best { return best }
        // Two base counts, one inside the cell and one outside it, as a last resort before the
        // fallback (which hides every total above one base count).
        for candidate in swaps(for: cell) { consider(candidate) }
        return best ?? fallback(cell)
    }

    /// Every cell a witness changes, with the sign of the change.
    func cells(of witness: Witness) -> [(index: Int, factor: Int)] {
        switch witness.shape {
        case .cells(let cells): return cells
        case .product(let options):
            var cells: [(index: Int, factor: Int)] = []
            for x in options[0].nodes {
                for y in options[1].nodes {
                    for z in options[2].nodes { cells.append((index(Nodes(x.node, y.node, z.node)), x.factor * y.factor * z.factor)) }
                }
            }
            return cells
        }
    }

    /// Witnesses that move one case from the largest base count inside the cell to one outside
    /// it that differs in one dimension (else in two): every cell holding exactly one changes.
    func swaps(for cell: Nodes) -> [Witness] {
        guard let u = largestBase(filling: [0, 1, 2], of: cell, inside: cell) else { return [] }
        let inside = { (base: Nodes) in (0..<3).allSatisfy { self.dimensions[$0].leaves[cell[$0]].contains(base[$0]) } }
        var witnesses: [Witness] = []
        for differing in [[[0], [1], [2]], [[0, 1], [0, 2], [1, 2]]] {
            for dims in differing {
                let first = 0..<dimensions[dims[0]].leafCount
                let second = dims.count > 1 ? 0..<dimensions[dims[1]].leafCount : 0..<1
                for a in first {
                    for b in second {
                        var v = u
                        v[dims[0]] = a
                        if dims.count > 1 { v[dims[1]] = b }
                        guard v != u, values[index(v)] > 0, !inside(v), let witness = evaluate(corners: [(u, 1), (v, -1)]) else { continue }
                        witnesses.append(witness)
                    }
                }
            }
            if !witnesses.isEmpty { break }
        }
        return witnesses
    }

    /// Pairings in the `paired` dimensions whose corners each take their own largest base count in
    /// the other dimensions (inside the cell's nodes there): where no one leaf of a dimension has
    /// cases at every corner (a region whose cases are all of one type nobody else has).
    func freeWitnesses(for cell: Nodes, paired: [Int], options pairs: [[Option]]) -> [Witness] {
        let options = paired.map { pairs[$0] }
        guard !options.contains(where: \.isEmpty) else { return [] }
        let free = (0..<3).filter { !paired.contains($0) }
        var witnesses: [Witness] = []
        func choose(_ depth: Int, _ chosen: [Option]) {
            guard depth == options.count else {
                for option in options[depth] { choose(depth + 1, chosen + [option]) }
                return
            }
            var partial: [(coordinates: Nodes, sign: Int)] = [(Nodes(0, 0, 0), 1)]
            for (position, d) in paired.enumerated() {
                partial = partial.flatMap { corner in
                    chosen[position].corners.map { pick in
                        var coordinates = corner.coordinates
                        coordinates[d] = pick.leaf
                        return (coordinates, corner.sign * pick.sign)
                    }
                }
            }
            var corners: [(base: Nodes, sign: Int)] = []
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
    func largestBase(filling free: [Int], of coordinates: Nodes, inside cell: Nodes) -> Nodes? {
        var best: (base: Nodes, value: Int)?
        let ranges = (0..<3).map { $0 < free.count ? dimensions[free[$0]].leaves[cell[free[$0]]] : 0..<1 }
        for a in ranges[0] {
            for b in ranges[1] {
                for c in ranges[2] {
                    var base = coordinates
                    if free.count > 0 { base[free[0]] = a }
                    if free.count > 1 { base[free[1]] = b }
                    if free.count > 2 { base[free[2]] = c }
                    let value = values[index(base)]
                    if value > (best?.value ?? 0) { best = (base, value) }
                }
            }
        }
        return best?.base
    }

    /// The witness changing these base counts by these amounts, if it is valid (see
    /// ``evaluate(_:)``), whatever their pattern.
    func evaluate(corners: [(base: Nodes, sign: Int)]) -> Witness? {
        var changes: [(cell: Int, sign: Int)] = []
        changes.reserveCapacity(corners.count * 16)
        for corner in corners {
            guard values[index(corner.base)] >= 1 else { return nil }
            for t in dimensions[0].rootChains[corner.base[0]] {
                for r in dimensions[1].rootChains[corner.base[1]] {
                    for y in dimensions[2].rootChains[corner.base[2]] { changes.append((index(Nodes(t, r, y)), corner.sign)) }
                }
            }
        }
        changes.sort { $0.cell < $1.cell }
        var sums: [(cell: Int, factor: Int)] = []
        for change in changes {
            if let last = sums.last, last.cell == change.cell { sums[sums.count - 1].factor += change.sign } else { sums.append((change.cell, change.sign)) }
        }
        var cells: [(index: Int, factor: Int)] = []
        var canRaise = true
        var canLower = true
        var cost = 0
        var added = 0
        for (cell, factor) in sums where factor != 0 {
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
        return Witness(shape: .cells(cells), cost: cost, added: added)
    }

    /// What the witness these options make would cost to suppress (weighted counts, cells), if it
    /// is valid: every base count it changes is at least 1, and in one direction (all +1 or all -1
    /// flipped) no cell it lowers drops below 1.
    func price(_ x: Option, _ y: Option, _ z: Option) -> (cost: Int, added: Int)? {
        for a in x.corners {
            for b in y.corners {
                for c in z.corners where values[index(Nodes(a.leaf, b.leaf, c.leaf))] < 1 { return nil }
            }
        }
        var canRaise = true
        var canLower = true
        var cost = 0
        var added = 0
        for a in x.nodes {
            for b in y.nodes {
                for c in z.nodes {
                    let cell = index(Nodes(a.node, b.node, c.node))
                    if values[cell] < 2 {
                        if a.factor * b.factor * c.factor < 0 { canRaise = false } else { canLower = false }
                    }
                    if !suppressed[cell] {
                        cost += values[cell] * weight(cell)
                        added += 1
                    }
                }
            }
        }
        return canRaise || canLower ? (cost, added) : nil
    }

    /// How much hiding a cell costs per case: 4 to the power of its levels summed (a quarter's
    /// total over every region and type is worth more to readers than one region's month).
    func weight(_ cell: Int) -> Int { 1 << (2 * levels(of: cell)) }

    /// Pairings in dimension `d`: a leaf inside the cell's node with a leaf inside a sibling node.
    func pairOptions(_ cell: Nodes, _ d: Int) -> [Option] {
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
    func fixedOptions(_ cell: Nodes, _ d: Int) -> [Option] {
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
    func fallback(_ cell: Nodes) -> Witness {
        var best = (value: 0, leaves: Nodes(0, 0, 0))
        for t in dimensions[0].leaves[cell[0]] {
            for r in dimensions[1].leaves[cell[1]] {
                for y in dimensions[2].leaves[cell[2]] where values[index(Nodes(t, r, y))] > best.value { best = (values[index(Nodes(t, r, y))], Nodes(t, r, y)) }
            }
        }
        var cells: [(index: Int, factor: Int)] = []
        for t in dimensions[0].chain(from: best.leaves[0], to: dimensions[0].root) {
            for r in dimensions[1].chain(from: best.leaves[1], to: dimensions[1].root) {
                for y in dimensions[2].chain(from: best.leaves[2], to: dimensions[2].root) { cells.append((index(Nodes(t, r, y)), 1)) }
            }
        }
        return Witness(shape: .cells(cells), cost: 0, added: 0)
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
