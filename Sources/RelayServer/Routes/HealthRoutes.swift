import Hummingbird
import RelayCore
import RelayStore

/// `GET /healthz`: the process is up and its store answers a read.
struct HealthRoutes<Context: RequestContext> {
    let relay: Relay

    struct Health: ResponseEncodable {
        let status: String
    }

    func register(on router: Router<Context>) {
        router.get("/healthz") { _, _ -> Health in
            do {
                _ = try await relay.store.read { try $0.thread(id: "") }
            } catch {
                throw APIError(.serviceUnavailable, code: "unavailable", message: "the store is not answering")
            }
            return Health(status: "ok")
        }
    }
}
