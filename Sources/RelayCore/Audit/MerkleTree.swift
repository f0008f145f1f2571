import RelayCrypto

/// RFC 6962 Merkle tree hashing: leaves are SHA-256(0x00 ‖ data), nodes SHA-256(0x01 ‖ left ‖ right),
/// and a tree of n leaves splits at the largest power of two below n.
public enum MerkleTree {
    /// The hash of one leaf.
    public static func leafHash(_ data: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(data)
        return bytes.withUnsafeBytes { SHA256.digest(prefix: 0x00, $0) }.bytes
    }

    /// The hash of one leaf, without allocating.
    public static func leafDigest(_ data: UnsafeRawBufferPointer) -> Digest32 {
        SHA256.digest(prefix: 0x00, data)
    }

    /// The hash of an interior node.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        SHA256.hash(prefix: 0x01, left, right)
    }

    /// The root of the tree over `leaves` (leaf hashes); the hash of the empty string for none.
    public static func root(_ leaves: [[UInt8]]) -> [UInt8] {
        var accumulator = MerkleAccumulator()
        for leaf in leaves { accumulator.append(leaf) }
        return accumulator.root
    }
}

/// Builds a Merkle tree leaf by leaf, keeping only the roots of its perfect subtrees ("peaks"), so
/// the root at every size is available in O(log n) without keeping the leaves.
public struct MerkleAccumulator: Sendable {
    /// Perfect subtree roots, largest (leftmost) first, with their heights.
    private var peaks: [(height: Int, hash: Digest32)] = []
    var peakList: [(height: Int, hash: [UInt8])] { peaks.map { ($0.height, $0.hash.bytes) } }
    /// Leaves appended so far.
    public private(set) var size: Int64 = 0

    /// An empty tree.
    public init() {}

    /// Appends a leaf hash.
    public mutating func append(_ leafHash: [UInt8]) {
        append(Digest32(leafHash))
    }

    /// Appends a leaf hash without allocating.
    public mutating func append(_ leafHash: Digest32) {
        var carry = (height: 0, hash: leafHash)
        while let last = peaks.last, last.height == carry.height {
            peaks.removeLast()
            carry = (carry.height + 1, SHA256.digest(prefix: 0x01, last.hash, carry.hash))
        }
        peaks.append(carry)
        size += 1
    }

    /// The RFC 6962 root at the current size: the peaks folded from the right.
    public var root: [UInt8] { rootDigest?.bytes ?? SHA256.hash([UInt8]()) }

    /// The root as a digest (`nil` for the empty tree).
    public var rootDigest: Digest32? {
        guard var accumulated = peaks.last?.hash else { return nil }
        for peak in peaks.dropLast().reversed() {
            accumulated = SHA256.digest(prefix: 0x01, peak.hash, accumulated)
        }
        return accumulated
    }
}
