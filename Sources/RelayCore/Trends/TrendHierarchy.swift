/// One dimension of the trend lattice as a tree: its leaves (months, regions, types) first, in
/// order, then the groups above them, the root (`all`) last. Each node covers a contiguous run of leaves.
struct TrendHierarchy: Sendable {
    /// Each node's label (`2026-03`, `2026-Q1`, `2026`, `TX`, `all`).
    let labels: [String]
    /// Each node's parent; the root's is -1.
    let parent: [Int]
    /// Each node's children, in leaf order.
    let children: [[Int]]
    /// The leaves each node covers.
    let leaves: [Range<Int>]
    /// Each node's level: 0 for leaves, 1 for their groups, …
    let level: [Int]
    /// Each leaf's nodes up to the root, leaf first (kept: the witness search walks them often).
    let rootChains: [[Int]]

    /// The root (every leaf).
    var root: Int { labels.count - 1 }
    /// How many leaves.
    var leafCount: Int { leaves[root].count }

    /// Leaves under one root.
    static func flat(_ names: [String]) -> TrendHierarchy {
        var groups = [[(label: String, leaves: Range<Int>)]]()
        groups.append([("all", 0..<names.count)])
        return TrendHierarchy(leafLabels: names, groups: groups)
    }

    /// Builds the tree from leaves and the groups of each level above them (each level's groups
    /// partition the leaves and nest in the level above).
    init(leafLabels: [String], groups: [[(label: String, leaves: Range<Int>)]]) {
        var labels = leafLabels
        var leaves = leafLabels.indices.map { $0..<($0 + 1) }
        var level = Array(repeating: 0, count: leafLabels.count)
        var below = Array(leafLabels.indices)
        var parent: [Int] = []
        for (depth, groupLevel) in groups.enumerated() {
            var current: [Int] = []
            for group in groupLevel {
                current.append(labels.count)
                labels.append(group.label)
                leaves.append(group.leaves)
                level.append(depth + 1)
            }
            parent = parent + Array(repeating: -1, count: labels.count - parent.count)
            for node in below {
                parent[node] = current.first { leaves[$0].contains(leaves[node].lowerBound) }!
            }
            below = current
        }
        parent = parent + Array(repeating: -1, count: labels.count - parent.count)
        var children = Array(repeating: [Int](), count: labels.count)
        for node in labels.indices where parent[node] >= 0 { children[parent[node]].append(node) }
        self.labels = labels
        self.parent = parent
        self.children = children
        self.leaves = leaves
        self.level = level
        self.rootChains = leafLabels.indices.map { leaf in
            var nodes = [leaf]
            while parent[nodes[nodes.count - 1]] >= 0 { nodes.append(parent[nodes[nodes.count - 1]]) }
            return nodes
        }
    }

    /// The nodes from `leaf` up to and including `node` (an ancestor of `leaf`, or itself).
    func chain(from leaf: Int, to node: Int) -> [Int] {
        var nodes = [leaf]
        var current = leaf
        while current != node {
            current = parent[current]
            nodes.append(current)
        }
        return nodes
    }

    /// The other children of the node's parent.
    func siblings(of node: Int) -> [Int] {
        guard parent[node] >= 0 else { return [] }
        return children[parent[node]].filter { $0 != node }
    }
}
