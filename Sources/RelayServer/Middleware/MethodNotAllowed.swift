import HTTPTypes
import Hummingbird
import NIOCore

/// 405 for a method a known path does not serve, with the `Allow` header listing those it does
/// (RFC 9110 §15.5.6), in the same JSON envelope as every other error.
struct MethodNotAllowed: Error, HTTPResponseError {
    /// The methods the path serves, e.g. `GET, POST`.
    let allow: String

    var status: HTTPResponse.Status { .methodNotAllowed }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try APIError(.methodNotAllowed, code: "method_not_allowed", message: "this path does not take that method")
            .response(from: request, context: context)
        response.headers[.allow] = allow
        return response
    }

    /// Methods a client might try: RFC 9110's and PATCH, TRACE, and QUERY (the safe method with a
    /// body that OpenAPI 3.2 describes); other method tokens find no route (404).
    static let candidates: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!]

    /// Adds, for every path the router serves, a 405 route for each other method. Call once, after
    /// every real route; nothing is read from the request (no body, no token).
    static func register<Context: RequestContext>(on router: Router<Context>) {
        let served = Dictionary(grouping: router.routes, by: { "\($0.path)" })
        // `/metrics` answers 404 to all but its scraper: an `Allow` would say it is there.
        for (path, routes) in served where path != "/metrics" {
            let methods = Set(routes.map(\.method))
            let allow = candidates.filter(methods.contains).map(\.rawValue).joined(separator: ", ")
            for method in candidates where !methods.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in throw MethodNotAllowed(allow: allow) }
            }
        }
    }
}
