import Hummingbird
import Logging
import RelayCore

/// Turns every error into the JSON envelope `{"error", "message"}`. Framework errors keep their
/// status; anything unexpected becomes a bare 500, logged by type only (an error's description may
/// carry data from the request).
public struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as MethodNotAllowed {
            throw error
        } catch is HashingBusy {
            throw APIError(.serviceUnavailable, code: "busy", message: "the server is busy; try again in a moment")
        } catch let error as HTTPError {
            throw APIError(error.status, code: Self.code(for: error.status.code), message: error.status.reasonPhrase.lowercased())
        } catch {
            context.logger.error("request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            throw APIError.internalError
        }
    }

    static func code(for status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 429: "rate_limited"
        case 503: "unavailable"
        default: status >= 500 ? "internal_error" : "bad_request"
        }
    }
}
