import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayChannels
import RelayCore
import RelayCrypto

/// Builds the SafeRelay HTTP application over a relay.
///
/// ```swift
/// let app = buildApplication(relay: relay, configuration: ServerConfiguration(port: 0), logger: logger)
/// try await app.runService()
/// ```
/// - Parameters:
///   - relay: the use cases, over an open store and keyring.
///   - configuration: address, public URL and limits.
///   - logger: the server's logger; it never receives personal data.
///   - onListening: called with the bound port once the server accepts connections.
public func buildApplication(
    relay: Relay,
    configuration: ServerConfiguration,
    logger: Logger,
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildRouter(relay: relay, configuration: configuration)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
            await onListening(port)
        },
        logger: logger
    )
    if let twilio = configuration.twilio {
        let client = TwilioClient(configuration: twilio, httpClient: HTTPClient.shared)
        app.addServices(OutboxDispatcher(relay: relay, client: client, logger: logger))
    }
    app.addServices(ComplianceScheduler(relay: relay, policy: configuration.retentionPolicy, logger: logger))
    app.addServices(StoreLifecycleService(relay: relay, logger: logger))
    return app
}

/// The router with every route and middleware (exposed for router-level tests).
public func buildRouter(relay: Relay, configuration: ServerConfiguration) -> Router<RelayRequestContext> {
    let router = Router(context: RelayRequestContext.self)
    let metrics = RelayMetrics()
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: MetricsRecordingMiddleware(metrics: metrics))
    router.add(middleware: ErrorEnvelopeMiddleware())
    router.get("/metrics") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: await metrics.render(relay: relay))))
    }
    router.get("/openapi.json") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
    let limiter = RateLimiter(hashKey: relay.keyring.blindIndex(.rateLimit))
    HealthRoutes(relay: relay).register(on: router)
    WebchatPageRoutes(configuration: configuration).register(on: router)
    WebchatRoutes(relay: relay, configuration: configuration, limiter: limiter).register(on: router)
    TwilioRoutes(relay: relay, configuration: configuration, limiter: limiter).register(on: router)
    StaffRoutes(relay: relay, configuration: configuration, limiter: limiter).register(on: router)
    return router
}
