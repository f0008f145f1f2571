import Hummingbird
import Logging

/// Turns every error into the JSON envelope `{"error", "message"}` through ``ErrorTable``. A
/// 405 keeps its `Allow` header; anything the table does not know becomes a bare 500, logged by type
/// only (an error's description may carry data from the request).
public struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as MethodNotAllowed {
            throw error
        } catch {
            if let answer = ErrorTable.answer(for: error) { throw answer }
            context.logger.error("request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            throw APIError.internalError
        }
    }
}
