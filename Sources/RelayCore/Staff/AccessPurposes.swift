import Foundation
import Yams

/// Why someone opens a thread that is not theirs: a code from a list the hotline keeps, and
/// optionally a note. Sent as `X-Access-Purpose: CODE` or `X-Access-Purpose: CODE: note`.
public struct AccessPurpose: Sendable, Equatable {
    /// The code, e.g. `covering`.
    public var code: String
    /// The free-text note, if any (at most 200 characters).
    public var note: String?

    /// The audit event's purpose text: `code` or `code: note`.
    public var auditText: String { note.map { "\(code): \($0)" } ?? code }
}

/// The purposes a hotline accepts (`Policies/access-purposes.yaml`, or the built-in list).
///
/// ```yaml
/// purposes:
///   first_response: Answering a new contact from the queue
///   covering: Covering for a colleague who is away
/// needs_note: [other]
/// ```
public struct AccessPurposes: Sendable, Equatable {
    /// Code → what it means, for people choosing one.
    public var labels: [String: String]
    /// Codes that are accepted only with a note.
    public var needingNote: Set<String>

    /// Creates a list; codes are 2 to 40 lower-case letters, digits or underscores.
    public init(labels: [String: String], needingNote: Set<String> = []) throws {
        guard !labels.isEmpty, labels.count <= 50 else { throw PurposeListError("a list has 1 to 50 purposes") }
        for (code, label) in labels {
            guard Self.isCode(code) else { throw PurposeListError("`\(code.prefix(40))` is not a code: 2 to 40 lower-case letters, digits or _") }
            guard (1...120).contains(label.count) else { throw PurposeListError("the label of \(code) must be 1 to 120 characters") }
        }
        guard needingNote.isSubset(of: Set(labels.keys)) else { throw PurposeListError("needs_note names a code not in the list") }
        self.labels = labels
        self.needingNote = needingNote
    }

    /// The built-in list.
    public static let standard = try! AccessPurposes(
        labels: [
            "first_response": "Answering a new contact from the queue",
            "covering": "Covering for a colleague who is away or off shift",
            "supervision": "Supervising or reviewing a colleague's case",
            "safety_concern": "Checking an urgent safety concern",
            "survivor_request": "The survivor asked for this",
            "other": "Something else (say what in the note)",
        ],
        needingNote: ["other"])

    /// Reads a list from YAML.
    public static func load(path: String) throws -> AccessPurposes {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 64 * 1024 else {
            throw PurposeListError("cannot read \(path) (or it is over 64 KiB)")
        }
        struct File: Decodable {
            let purposes: [String: String]
            let needs_note: [String]?
        }
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: data)
        } catch {
            throw PurposeListError("\(path) is not a purpose list (`purposes:` mapping codes to labels)")
        }
        return try AccessPurposes(labels: file.purposes, needingNote: Set(file.needs_note ?? []))
    }

    /// Parses a header value: a known code, optionally `: note`. `nil` for anything else.
    public func parse(_ text: String?) -> AccessPurpose? {
        guard let text, text.utf8.count <= 300 else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let code = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
        let note = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespacesAndNewlines) : ""
        guard labels[code] != nil, note.count <= 200, !note.contains(where: \.isNewline) else { return nil }
        if needingNote.contains(code) && note.isEmpty { return nil }
        return AccessPurpose(code: code, note: note.isEmpty ? nil : note)
    }

    static func isCode(_ text: String) -> Bool {
        (2...40).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}

/// A purpose list that cannot be used, with the reason.
public struct PurposeListError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
