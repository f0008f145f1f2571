import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request context of every SafeRelay route: Hummingbird's core context plus the connection's
/// peer address, which serves only as the input to an in-memory, keyed, expiring rate-limit bucket
/// (invariant 5): it is never stored, logged or put in a metric.
public struct RelayRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connected peer (the proxy's address behind a reverse proxy).
    public let remoteAddress: SocketAddress?

    /// Creates the context for a request on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Who the client is, for per-client admission: the last address of `header` when the relay sits
    /// behind a proxy that sets it (`--client-address-header`), otherwise the socket peer's address.
    func clientAddress(request: Request, header: HTTPField.Name?) -> String {
        if let header, let value = request.headers[header] {
            let last = value.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if !last.isEmpty, last.count <= 64 { return last }
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
