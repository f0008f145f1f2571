import Hummingbird
import RelayCore

/// Authenticates the advocates' API: reads the bearer token, asks the core for its staff session
/// and puts it on the context (``RelayRequestContext/staff``). It runs before the handler, so an
/// unknown, expired or ended session is answered 401 before any body is read; role checks stay with
/// the core and the handlers.
struct StaffAuthenticator: RouterMiddleware {
    typealias Context = RelayRequestContext
    let relay: Relay

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = try RequestSupport.bearerToken(request)
        var context = context
        context.staff = try await relay.staff.authenticate(token: token)
        return try await next(request, context)
    }
}
