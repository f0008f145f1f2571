import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RelayServer
import RelayTestSupport
import Testing

/// Drives real requests through a ``RelayTestServer`` and checks each answer against
/// `openapi.json`: the status must be one the document lists for that path and method, a JSON
/// answer must match its schema (no undocumented member, no missing required one), and a
/// documented answer without content must have no body. Request bodies sent are checked too.
final class OpenAPIContract: @unchecked Sendable {
    let server: RelayTestServer
    let validator: JSONSchemaValidator
    /// `METHOD /template` of every operation called, with the statuses seen.
    private(set) var seen: [String: Set<Int>] = [:]

    init(server: RelayTestServer) throws {
        self.server = server
        self.validator = JSONSchemaValidator(document: try JSONValue.parse(OpenAPIDocument.json))
    }

    /// Every `METHOD /template` the document describes.
    var documented: Set<String> {
        guard case .object(let paths)? = validator.document["paths"] else { return [] }
        return Set(paths.flatMap { path, operations -> [String] in
            guard case .object(let methods) = operations else { return [] }
            return methods.keys.map { "\($0.uppercased()) \(path)" }
        })
    }

    /// Calls `path` (an instance of `template`) and checks the answer; returns status and body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ template: String, path: String? = nil, token: String? = nil, json: String? = nil,
        form: String? = nil, headers extra: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (status: Int, body: String) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let body = (json ?? form).map { ByteBuffer(string: $0) }
        let (status, contentType, text) = try await server.client.execute(uri: path ?? template, method: method, headers: headers, body: body) {
            ($0.status.code, $0.headers[.contentType], String(buffer: $0.body))
        }
        let key = "\(method.rawValue) \(template)"
        seen[key, default: []].insert(status)
        guard let operation = validator.document["paths"]?[template]?[method.rawValue.lowercased()] else {
            Issue.record("\(key) is not in openapi.json", sourceLocation: sourceLocation)
            return (status, text)
        }
        if let json, let schema = operation["requestBody"]?["content"]?["application/json"]?["schema"], status < 400 {
            let problems = validator.problems(in: try JSONValue.parse(json), against: schema)
            #expect(problems.isEmpty, "\(key) request body: \(problems)", sourceLocation: sourceLocation)
        }
        guard let answer = operation["responses"]?[String(status)].map(validator.resolve) else {
            Issue.record("\(key) answered \(status), which openapi.json does not list: \(text.prefix(200))", sourceLocation: sourceLocation)
            return (status, text)
        }
        guard case .object(let contents)? = answer["content"] else {
            #expect(text.isEmpty, "\(key) \(status) has a body the document does not describe", sourceLocation: sourceLocation)
            return (status, text)
        }
        let mime = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let content = contents[mime] else {
            Issue.record("\(key) \(status) answered \(mime), the document lists \(contents.keys.sorted())", sourceLocation: sourceLocation)
            return (status, text)
        }
        if mime == "application/json", let schema = content["schema"] {
            let problems = validator.problems(in: try JSONValue.parse(text), against: schema)
            #expect(problems.isEmpty, "\(key) \(status): \(problems)", sourceLocation: sourceLocation)
        }
        return (status, text)
    }

    /// A member of a JSON answer.
    static func member(_ body: String, _ name: String) throws -> String {
        try #require(try JSONValue.parse(body)[name]?.string, "no \(name) in \(body.prefix(200))")
    }
}
