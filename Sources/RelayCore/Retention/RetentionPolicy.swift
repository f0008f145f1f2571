import Foundation
import RelayCrypto
import RelayModel
import RelayStore
import Yams

/// A retention policy, read from a YAML file in `Policies/` (schema in `Policies/README.md`).
public struct RetentionPolicy: Sendable, Equatable {
    /// Lifetimes that can be overridden per channel or tag.
    public struct Lifetimes: Sendable, Equatable {
        /// An open thread idle this long is closed.
        public var idleCloseAfter: TimeInterval
        /// Content is destroyed this long after a thread closes.
        public var afterClose: TimeInterval
    }

    /// One override.
    public struct Override: Sendable, Equatable {
        /// Applies to threads on this channel…
        public var channel: ChannelKind?
        /// …or carrying this tag.
        public var tag: String?
        /// Replacement idle-close lifetime.
        public var idleCloseAfter: TimeInterval?
        /// Replacement after-close lifetime.
        public var afterClose: TimeInterval?
    }

    /// The policy's name.
    public var name: String
    /// Default content lifetimes.
    public var content: Lifetimes
    /// How long after a survivor's erase request (released from a hold) content is destroyed.
    public var erasedOnRequest: TimeInterval
    /// How long an erased thread's metadata row (and a contact without threads) is kept.
    public var metadata: TimeInterval
    /// How long audit event lines are kept (leaf hashes stay so the log still verifies).
    public var audit: TimeInterval
    /// Whether a legal hold defers a survivor's erase request.
    public var holdDefersSurvivorErase: Bool
    /// Per-channel and per-tag overrides, first match wins.
    public var overrides: [Override]
    /// Whether do-not-contact outlives a contact's content: when a purge leaves a contact with
    /// nothing, keep only a keyed hash of its address flagged do-not-contact (default: forget).
    public var keepDoNotContact = false
    /// SHA-256 of the policy file's bytes, recorded in deletion receipts.
    public var sha256: String

    /// The lifetimes for a thread, after overrides.
    public func lifetimes(channel: ChannelKind, tags: [String] = []) -> Lifetimes {
        var result = content
        if let match = overrides.first(where: { ($0.channel != nil && $0.channel == channel) || ($0.tag.map(tags.contains) ?? false) }) {
            if let idle = match.idleCloseAfter { result.idleCloseAfter = idle }
            if let after = match.afterClose { result.afterClose = after }
        }
        return result
    }
}

/// A policy file that cannot be used: where and why.
public struct PolicyError: Error, Equatable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The 1-based line, 0 when unknown.
    public var line: Int
    /// What is wrong.
    public var reason: String

    public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}

extension RetentionPolicy {
    /// Largest policy file accepted.
    public static let maximumBytes = 64 * 1024

    /// Loads and validates a policy file.
    public static func load(path: String) throws -> RetentionPolicy {
        let file = try PolicyReader.readFile(path, maximumBytes: maximumBytes)
        return try parse(file.text, file: path, sha256: file.sha256)
    }

    /// Parses policy YAML.
    public static func parse(_ text: String, file: String, sha256: String? = nil) throws -> RetentionPolicy {
        let reader = PolicyReader(file: file)
        let root = try reader.compose(text)
        let top = try reader.mapping(root, "the policy", allowed: ["version", "name", "content", "metadata", "audit", "legal_hold", "overrides", "contacts"])
        if let version = top["version"] {
            guard version.int == 1 else { throw reader.error(version, "version must be 1") }
        }
        let name = try top["name"].map { try reader.string($0, "name") } ?? (file as NSString).lastPathComponent
        guard let contentNode = top["content"] else { throw reader.error(root, "missing `content`") }
        let content = try reader.mapping(contentNode, "content", allowed: ["idle_close_after", "after_close", "erased_on_request"])
        let lifetimes = Lifetimes(
            idleCloseAfter: try reader.requiredDuration(content, "idle_close_after", in: contentNode),
            afterClose: try reader.requiredDuration(content, "after_close", in: contentNode))
        let erasedOnRequest = try content["erased_on_request"].map { try reader.duration($0, "erased_on_request") } ?? 0
        guard let metadataNode = top["metadata"] else { throw reader.error(root, "missing `metadata`") }
        let metadata = try reader.requiredDuration(try reader.mapping(metadataNode, "metadata", allowed: ["keep_for"]), "keep_for", in: metadataNode)
        guard let auditNode = top["audit"] else { throw reader.error(root, "missing `audit`") }
        let audit = try reader.requiredDuration(try reader.mapping(auditNode, "audit", allowed: ["keep_for"]), "keep_for", in: auditNode)
        var defers = true
        if let holdNode = top["legal_hold"] {
            let hold = try reader.mapping(holdNode, "legal_hold", allowed: ["survivor_erase"])
            if let choice = hold["survivor_erase"] {
                switch try reader.string(choice, "survivor_erase") {
                case "defer": defers = true
                case "honour", "honor": defers = false
                default: throw reader.error(choice, "survivor_erase must be `defer` or `honour`")
                }
            }
        }
        var keepDoNotContact = false
        if let contactsNode = top["contacts"] {
            let contacts = try reader.mapping(contactsNode, "contacts", allowed: ["do_not_contact_after_purge"])
            if let choice = contacts["do_not_contact_after_purge"] {
                switch try reader.string(choice, "do_not_contact_after_purge") {
                case "forget": keepDoNotContact = false
                case "keep_keyed_hash": keepDoNotContact = true
                default: throw reader.error(choice, "do_not_contact_after_purge must be `forget` or `keep_keyed_hash`")
                }
            }
        }
        var overrides: [Override] = []
        if let list = top["overrides"] {
            guard case .sequence(let items) = list else { throw reader.error(list, "overrides must be a list") }
            for item in items {
                let entry = try reader.mapping(item, "an override", allowed: ["channel", "tag", "idle_close_after", "after_close"])
                var override = Override()
                if let channel = entry["channel"] {
                    guard let kind = ChannelKind(rawValue: try reader.string(channel, "channel")) else {
                        throw reader.error(channel, "channel must be `sms` or `webchat`")
                    }
                    override.channel = kind
                }
                override.tag = try entry["tag"].map { try reader.string($0, "tag") }
                guard (override.channel == nil) != (override.tag == nil) else { throw reader.error(item, "an override names exactly one `channel` or `tag`") }
                override.idleCloseAfter = try entry["idle_close_after"].map { try reader.duration($0, "idle_close_after") }
                override.afterClose = try entry["after_close"].map { try reader.duration($0, "after_close") }
                overrides.append(override)
            }
        }
        return RetentionPolicy(
            name: name, content: lifetimes, erasedOnRequest: erasedOnRequest, metadata: metadata, audit: audit,
            holdDefersSurvivorErase: defers, overrides: overrides, keepDoNotContact: keepDoNotContact,
            sha256: sha256 ?? Hex.encode(SHA256.hash(Array(text.utf8))))
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 0
        }
    }
}

/// Reads policy nodes with their line numbers for errors.
struct PolicyReader {
    let file: String

    /// A policy file's text and the SHA-256 of its bytes (hex), bounded and UTF-8.
    static func readFile(_ path: String, maximumBytes: Int) throws -> (text: String, sha256: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PolicyError(file: path, line: 0, reason: "cannot read the file (missing or unreadable)")
        }
        guard data.count <= maximumBytes else { throw PolicyError(file: path, line: 0, reason: "larger than \(maximumBytes) bytes") }
        guard let text = String(data: data, encoding: .utf8) else { throw PolicyError(file: path, line: 0, reason: "not UTF-8 text") }
        return (text, Hex.encode(SHA256.hash(Array(data))))
    }

    /// The YAML document's root node; an empty file or invalid YAML is a ``PolicyError`` with its line.
    func compose(_ text: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw PolicyError(file: file, line: 0, reason: "the file is empty") }
            return node
        } catch let error as PolicyError {
            throw error
        } catch let error as YamlError {
            throw PolicyError(file: file, line: RetentionPolicy.line(of: error), reason: "not valid YAML")
        }
    }

    func error(_ node: Node, _ reason: String) -> PolicyError {
        PolicyError(file: file, line: node.mark?.line ?? 0, reason: reason)
    }

    func mapping(_ node: Node, _ what: String, allowed: Set<String>) throws -> [String: Node] {
        guard case .mapping(let mapping) = node else { throw error(node, "\(what) must be a mapping of keys to values") }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw error(key, "keys must be words") }
            guard allowed.contains(name) else {
                throw error(key, "unknown key `\(name.prefix(40))` in \(what) (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard result[name] == nil else { throw error(key, "`\(name)` appears twice") }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty, scalar.string.count <= 100 else {
            throw error(node, "\(what) must be a short text")
        }
        return scalar.string
    }

    func requiredDuration(_ mapping: [String: Node], _ key: String, in parent: Node) throws -> TimeInterval {
        guard let node = mapping[key] else { throw error(parent, "missing `\(key)`") }
        return try duration(node, key)
    }

    /// `0`, or a whole number with a unit: `s`, `m`, `h`, `d`, `w`, `y` (365 days).
    func duration(_ node: Node, _ what: String) throws -> TimeInterval {
        guard case .scalar(let scalar) = node else { throw error(node, "\(what) must be a duration like 24h, 30d or 7y") }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        if text == "0" { return 0 }
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800, "y": 31_536_000]
        guard let unit = text.last, let seconds = units[unit], let amount = Int(text.dropLast()), amount >= 0, amount <= 100_000 else {
            throw error(node, "\(what): `\(text.prefix(20))` is not a duration like 24h, 30d or 7y")
        }
        return TimeInterval(amount) * seconds
    }
}
