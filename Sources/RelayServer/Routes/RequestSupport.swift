import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayWire

/// Small helpers shared by the routes: bounded bodies, JSON in and out, bearer tokens.
enum RequestSupport {
    /// The client's address for per-client admission (see ``RelayRequestContext/clientKey``):
    /// only ever an input to an in-memory keyed hash.
    static func client(_ request: Request, _ context: RelayRequestContext, _ configuration: ServerConfiguration) -> String {
        let header = configuration.clientAddressHeader.flatMap { HTTPField.Name($0) }
        return context.clientKey(request: request, header: header, trustedProxies: configuration.trustedProxies)
    }

    /// Spends one token of the client's own bucket, then one of the shared backstop; 429 when
    /// either is empty. The client's bucket comes first, so that one client's flood is refused
    /// before it can drain the shared one.
    static func admit(
        _ request: Request, _ context: RelayRequestContext, _ configuration: ServerConfiguration, limiter: RateLimiter,
        kind: String, perClient: RateLimits.Bucket, overall: RateLimits.Bucket?
    ) async throws {
        let client = client(request, context, configuration)
        // An IPv6 holder of a /48 (65,536 /64s) also shares one bucket, sixteen times a client's.
        let wide = RelayRequestContext.wideKey(client)
        let wideBucket = RateLimits.Bucket(perSecond: perClient.perSecond * 16, burst: perClient.burst * 16)
        guard await limiter.allow(scope: "client-\(kind)", identity: client, bucket: perClient, authenticated: false) else { throw APIError.rateLimited }
        if let wide {
            guard await limiter.allow(scope: "wide-\(kind)", identity: wide, bucket: wideBucket, authenticated: false) else { throw APIError.rateLimited }
        }
        if let overall {
            guard await limiter.allow(scope: "global", identity: kind, bucket: overall) else { throw APIError.rateLimited }
        }
    }

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
    /// 403: the caller's role may not do this.
    static let forbidden = APIError(.forbidden, code: "forbidden", message: "your role does not allow this")
    /// 429.
    static let rateLimited = APIError(.tooManyRequests, code: "rate_limited", message: "too many requests; try again in a moment")
}

