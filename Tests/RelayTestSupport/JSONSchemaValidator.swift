import Foundation

/// Checks JSON values against the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that
/// `openapi.json` speaks: `$ref` into the document, `type` (one or a list), `properties`, `required`,
/// `additionalProperties` (`false` or a schema), `items`, `enum`, `pattern`, `maxLength`, and
/// `format: date-time`. Anything else in a schema is ignored.
///
/// ```swift
/// let validator = JSONSchemaValidator(document: try JSONValue.parse(openAPIText))
/// let problems = validator.problems(in: body, against: schema)   // [] when the body conforms
/// ```
public struct JSONSchemaValidator: Sendable {
    /// The whole document, for `$ref`.
    public let document: JSONValue

    /// Creates a validator that resolves `$ref`s in `document`.
    public init(document: JSONValue) {
        self.document = document
    }

    /// What in `value` breaks `schema`, one line per problem with its JSON path; empty when it conforms.
    public func problems(in value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        let schema = resolve(schema)
        guard case .object(let rules) = schema else { return [] }
        var found: [String] = []
        if case .array(let types)? = rules["type"] {
            let names = types.compactMap(\.string)
            if !names.contains(where: { Self.matches(value, type: $0) }) { found.append("\(path): \(Self.kind(value)) is not \(names)") }
        } else if let type = rules["type"]?.string, !Self.matches(value, type: type) {
            found.append("\(path): \(Self.kind(value)) is not \(type)")
        }
        if case .array(let allowed)? = rules["enum"], !allowed.contains(value) { found.append("\(path): \(value) is not one of \(allowed)") }
        if case .string(let text) = value {
            if case .integer(let maximum)? = rules["maxLength"], text.count > maximum { found.append("\(path): longer than \(maximum)") }
            if let pattern = rules["pattern"]?.string, text.range(of: pattern, options: .regularExpression) == nil {
                found.append("\(path): does not match \(pattern)")
            }
            if rules["format"]?.string == "date-time", (try? Date(text, strategy: .iso8601)) == nil,
                (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) == nil {
                found.append("\(path): not an RFC 3339 time")
            }
        }
        if case .object(let members) = value {
            found += objectProblems(members, rules, path)
        }
        if case .array(let items) = value, let itemSchema = rules["items"] {
            for (index, item) in items.enumerated() { found += problems(in: item, against: itemSchema, at: "\(path)[\(index)]") }
        }
        return found
    }

    private func objectProblems(_ members: [String: JSONValue], _ rules: [String: JSONValue], _ path: String) -> [String] {
        var found: [String] = []
        let properties: [String: JSONValue]
        if case .object(let declared)? = rules["properties"] { properties = declared } else { properties = [:] }
        if case .array(let required)? = rules["required"] {
            for name in required.compactMap(\.string) where members[name] == nil { found.append("\(path): missing \(name)") }
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            if let schema = properties[name] {
                found += problems(in: member, against: schema, at: "\(path).\(name)")
            } else if rules["additionalProperties"] == .bool(false) {
                found.append("\(path): undocumented member \(name)")
            } else if let extra = rules["additionalProperties"], case .object = extra {
                found += problems(in: member, against: extra, at: "\(path).\(name)")
            }
        }
        return found
    }

    /// Follows `$ref` (`#/a/b/c`) until a schema without one.
    public func resolve(_ schema: JSONValue) -> JSONValue {
        var current = schema
        for _ in 0..<16 {
            guard let reference = current["$ref"]?.string, reference.hasPrefix("#/") else { return current }
            var target: JSONValue? = document
            for part in reference.dropFirst(2).split(separator: "/") { target = target?[String(part)] }
            guard let target else { return .null }
            current = target
        }
        return current
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
            ("string", .string), ("array", .array), ("object", .object):
            true
        default:
            false
        }
    }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
