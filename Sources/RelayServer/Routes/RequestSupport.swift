import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayWire

/// Small helpers shared by the routes: bounded bodies, JSON in and out, bearer tokens.
enum RequestSupport {
    /// Collects the body, refusing more than `limit` bytes with 413.
    static func body(of request: Request, limit: Int) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the request body exceeds \(limit) bytes")
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the request body exceeds \(limit) bytes")
        }
    }

    /// Decodes a JSON body, answering 400 with a JSON error when it is malformed.
    static func decodeJSON<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try JSONBody.decode(T.self, from: buffer.readableBytesView)
        } catch {
            throw APIError(.badRequest, code: "malformed_json", message: "the body is not the JSON this route expects")
        }
    }

    /// A JSON response.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The bearer token of the `Authorization` header; 401 if absent.
    static func bearerToken(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization], header.count <= 256,
            header.lowercased().hasPrefix("bearer ")
        else { throw APIError.unauthorized }
        return String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

    static let noContent = Response(status: .noContent)
}

extension APIError {
    /// 401 without saying whether the session ever existed.
    static let unauthorized = APIError(.unauthorized, code: "unauthorized", message: "unknown, expired or ended session")
    /// 429.
    static let rateLimited = APIError(.tooManyRequests, code: "rate_limited", message: "too many requests; try again in a moment")
}
