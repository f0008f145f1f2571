import Foundation
import RelayCrypto
import Yams

/// What trend reports may publish (`Policies/trends.yaml`): the smallest count a published cell
/// may hold, and the regions an advocate chooses from.
public struct TrendPolicy: Sendable, Equatable {
    /// The file's name, or `built-in`.
    public var name: String
    /// SHA-256 of the file (hex), empty for the built-in policy.
    public var sha256: String
    /// A count from 1 to `threshold - 1` is never published (the hotline's partners use 11).
    public var threshold: Int
    /// Region codes, in the order the console offers them.
    public var regions: [String]
    /// What a report freezes and suppresses at once: each quarter once it is over (timely; years
    /// are then sums of quarters, and lose detail), or each year (years and their quarters and
    /// months in full detail, a year late).
    public var frozenBy: Unit = .quarter

    /// The unit of freezing.
    public enum Unit: String, Sendable, Equatable { case quarter, year }

    /// Smallest and largest threshold a file may set.
    public static let thresholds = 3...100
    /// Largest policy file accepted.
    public static let maximumBytes = 64 * 1024
    /// The region code of a case whose region nobody recorded.
    public static let notRecorded = "not-recorded"
    /// Words a report uses itself, never region codes.
    static let reserved: Set<String> = ["all", "total", notRecorded]

    /// The United States' states, the District of Columbia, Puerto Rico and the other territories,
    /// by postal code, and `outside-us`.
    public static let builtIn = TrendPolicy(
        name: "built-in", sha256: "", threshold: 11,
        regions: [
            "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME",
            "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI",
            "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP", "outside-us",
        ])

    /// Whether `code` is a region code this policy offers.
    public func offers(region code: String) -> Bool { regions.contains(code) }

    /// Loads and validates a trends file.
    /// - Throws: ``PolicyError`` with the file, the line and the reason.
    public static func load(path: String) throws -> TrendPolicy {
        let file = try PolicyReader.readFile(path, maximumBytes: maximumBytes)
        return try parse(file.text, file: path, sha256: file.sha256)
    }

    /// Parses trends YAML: `version: 1`, optional `name`, `threshold` and `regions` (a list of
    /// codes of 1 to 32 letters, digits or `-`, each once).
    public static func parse(_ text: String, file: String, sha256: String? = nil) throws -> TrendPolicy {
        let reader = PolicyReader(file: file)
        let root = try reader.compose(text)
        let top = try reader.mapping(root, "the trends policy", allowed: ["version", "name", "threshold", "regions", "frozen_by"])
        if let version = top["version"], version.int != 1 { throw reader.error(version, "version must be 1") }
        var policy = TrendPolicy.builtIn
        policy.name = try top["name"].map { try reader.string($0, "name") } ?? (file as NSString).lastPathComponent
        policy.sha256 = sha256 ?? Hex.encode(SHA256.hash(Array(text.utf8)))
        if let node = top["threshold"] {
            guard let value = node.int, thresholds.contains(value) else {
                throw reader.error(node, "threshold must be a whole number from \(thresholds.lowerBound) to \(thresholds.upperBound)")
            }
            policy.threshold = value
        }
        if let node = top["frozen_by"] {
            guard let unit = Unit(rawValue: try reader.string(node, "frozen_by")) else { throw reader.error(node, "frozen_by must be `quarter` or `year`") }
            policy.frozenBy = unit
        }
        if let node = top["regions"] {
            var regions: [String] = []
            for item in try reader.list(node, "regions", limit: 500) {
                let code = try reader.string(item, "a region")
                guard isCode(code), !reserved.contains(code), code.first != "-", !regions.contains(code) else {
                    throw reader.error(item, "a region is 1 to 32 letters, digits or - (not first), given once, and not `all`, `total` or `\(notRecorded)`")
                }
                regions.append(code)
            }
            guard !regions.isEmpty else { throw reader.error(node, "regions must name at least one region") }
            policy.regions = regions
        }
        return policy
    }

    /// 1 to 32 ASCII letters, digits or `-`.
    static func isCode(_ text: String) -> Bool {
        (1...32).contains(text.utf8.count) && text.utf8.allSatisfy { $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }
}
