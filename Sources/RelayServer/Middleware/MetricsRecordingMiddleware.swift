import HTTPTypes
import Hummingbird

/// Records each request under its route template (an unknown path under Hummingbird's `NotFound`, so that no
/// path ever becomes a label), its method and its status.
struct MetricsRecordingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RelayMetrics

    /// Methods counted by name; any other (a client may send any token) counts as `other`.
    static var methods: Set<HTTPRequest.Method> { [.get, .head, .post, .put, .patch, .delete, .options] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let method = Self.methods.contains(request.method) ? request.method.rawValue : "other"
            metrics.record(route: context.endpointPath ?? "unmatched", method: method, status: status, duration: ContinuousClock.now - start)
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
