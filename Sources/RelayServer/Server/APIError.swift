import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answered as `{"error": CODE, "message": TEXT}` with its status. Codes are stable,
/// lower-case words that clients can switch on; messages are for people and never carry personal data.
public struct APIError: Error, HTTPResponseError, Equatable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `not_found`.
    public var code: String
    /// A short human explanation.
    public var message: String

    /// Creates an API error.
    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// Renders the JSON envelope.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        // Sorted keys: the same error always reads byte for byte the same (a dictionary's order varies per process).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(["error": code, "message": message])
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// 404 for an unknown route or an object the caller may not know exists.
    public static let notFound = APIError(.notFound, code: "not_found", message: "no such resource")
    /// 500 with no detail: the detail goes to the log, by type only.
    public static let internalError = APIError(.internalServerError, code: "internal_error", message: "the server could not complete the request")
}
