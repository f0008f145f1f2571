import HTTPTypes
import Hummingbird

/// Headers every answer carries: nothing cached, no referrer, no sniffing, no framing, and a
/// Content-Security-Policy that forbids everything a page does not explicitly need.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        SecurityHeaders.apply(to: &response.headers)
        return response
    }
}

/// The headers themselves, also set by ``ConnectionGuardHandler`` on answers the framework writes
/// before any middleware runs (a malformed request's 400).
enum SecurityHeaders {
    /// Sets the headers (a Content-Security-Policy only where the answer has none of its own).
    static func apply(to headers: inout HTTPFields) {
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        if headers[.contentSecurityPolicy] == nil {
            headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        }
    }
}
