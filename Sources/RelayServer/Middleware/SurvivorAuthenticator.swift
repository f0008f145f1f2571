import Hummingbird
import RelayCore

/// Authenticates the survivor's webchat routes: reads the bearer token, asks the core for the
/// webchat session and puts it on the context (``RelayRequestContext/survivor``), before any body is
/// read.
struct SurvivorAuthenticator: RouterMiddleware {
    typealias Context = RelayRequestContext

    /// How a route treats the session.
    enum Mode {
        /// Also spends a token of the session's own bucket (sending, reading, streams, phrases).
        case limited
        /// Spends nothing: deleting and quick exit are never refused for rate reasons.
        case unlimited
        /// For erasing: a session that has only idled out still opens, and one that no longer opens
        /// leaves its stream key (``RelayRequestContext/endedSurvivorSession``), so that a retried
        /// erase whose answer was lost gets the same answer again.
        case erase
    }

    let relay: Relay
    let mode: Mode
    let limiter: RateLimiter
    /// The session's bucket for ``Mode/limited``.
    let bucket: RateLimits.Bucket

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = try RequestSupport.bearerToken(request)
        var context = context
        switch mode {
        case .limited, .unlimited:
            let session = try await relay.webchat.authenticate(token: token)
            if mode == .limited {
                guard await limiter.allow(scope: "chat", identity: session.contactID, bucket: bucket) else { throw APIError.rateLimited }
            }
            context.survivor = session
        case .erase:
            do {
                context.survivor = try await relay.webchat.authenticateForErase(token: token)
            } catch RelayError.unauthorized {
                guard let key = relay.webchat.streamKey(token: token) else { throw APIError.unauthorized }
                context.endedSurvivorSession = key
            }
        }
        return try await next(request, context)
    }
}
