import HTTPTypes
import NIOCore
import NIOHTTPTypes
import RelayCore
import Synchronization

/// How many connections (or live streams) each client holds, shared by every connection's
/// ``ConnectionGuardHandler`` (or every stream). Keyed by a keyed hash of the client's address (or
/// its /64), in memory only, for as long as it holds one.
final class ClientCounts: Sendable {
    private let counts = Mutex<[[UInt8]: Int]>([:])
    private let hashKey: AdmissionKeys
    /// Most one client may hold at once.
    let maximumPerClient: Int
    /// Peers never capped (your reverse proxies, which carry many clients each).
    let exempt: Set<String>

    /// Creates counts keyed by `hashKey` hashes of the client (never the address itself).
    init(maximumPerClient: Int, exempt: Set<String>, hashKey: AdmissionKeys) {
        self.maximumPerClient = maximumPerClient
        self.exempt = Set(exempt.map(RelayRequestContext.canonical))
        self.hashKey = hashKey
    }

    /// Counts a new one from `client`; false (and not counted) past the cap.
    func open(_ client: String) -> Bool {
        let key = hashKey.hash(client)
        return counts.withLock { counts in
            guard counts[key, default: 0] < maximumPerClient else { return false }
            counts[key, default: 0] += 1
            return true
        }
    }

    /// Forgets a closed one.
    func close(_ client: String) {
        let key = hashKey.hash(client)
        counts.withLock { counts in
            let left = counts[key, default: 1] - 1
            counts[key] = left > 0 ? left : nil
        }
    }

    /// How many are held now (tests).
    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}

/// Per connection, after HTTP decoding: refuses a client past its connection cap, and closes a
/// connection whose request (head to end of body) takes longer than the request timeout, so that
/// a slow body cannot hold a connection and a task forever. (A slow header, and a connection with
/// no request under way, are closed by the server's idle timeout.) Every answer's head gets the
/// security headers, including the 400 the framework writes itself for a malformed request.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let counts: ClientCounts
    private let requestTimeout: TimeAmount
    private var client: String?
    private var deadline: Scheduled<Void>?

    init(counts: ClientCounts, requestTimeout: TimeAmount) {
        self.counts = counts
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let address = context.channel.remoteAddress?.ipAddress else { return }
        let canonical = RelayRequestContext.canonical(address)
        guard !counts.exempt.contains(canonical) else { return }
        let key = RelayRequestContext.admissionKey(canonical)
        guard counts.open(key) else {
            context.close(promise: nil)
            return
        }
        client = key
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let client { counts.close(client) }
        client = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: requestTimeout) {
                context.close(promise: nil)
            }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        SecurityHeaders.apply(to: &head.headerFields)
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let client { counts.close(client) }
        client = nil
        context.fireChannelInactive()
    }
}
