import Foundation

/// The OpenAPI 3.1 description of every route, kept in the repository as `openapi.json` beside
/// this file and served at `GET /openapi.json`. A test fails when a route and the document disagree.
public enum OpenAPIDocument {
    /// The document's text.
    public static let json: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return #"{"error":"unavailable","message":"openapi.json is missing from the build"}"# }
        return text
    }()
}
