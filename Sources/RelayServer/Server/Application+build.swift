import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayChannels
import RelayCore

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
    // Behind a proxy every connection comes from it: the cap is per client only when the peer is one.
    let counts = ClientCounts(
        maximumPerClient: configuration.maximumConnectionsPerClient,
        exempt: configuration.clientAddressHeader == nil ? [] : configuration.trustedProxies, hashKey: relay.admissionKeys)
    let requestTimeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.components.seconds) * 1_000_000_000
        + configuration.requestTimeout.components.attoseconds / 1_000_000_000)
    var app = Application(
        router: router,
        server: .http1(configuration: .init(
            additionalChannelHandlers: [ConnectionGuardHandler(counts: counts, requestTimeout: requestTimeout)],
            idleTimeout: TimeAmount.nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000
                + configuration.idleTimeout.components.attoseconds / 1_000_000_000))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
            await onListening(port)
        },
        logger: logger
    )
    // A service group stops its services in the reverse of this order, after the HTTP server has
    // stopped taking requests: the dispatcher finishes (or hands back) its sends, the scheduler
    // stops, and only then does the store close, so nothing is written to a closed store.
    app.addServices(StoreLifecycleService(relay: relay, logger: logger))
    app.addServices(ComplianceScheduler(relay: relay, policy: configuration.retentionPolicy, logger: logger))
    if relay.isStoreShared { app.addServices(SharedEventsService(relay: relay)) }
    if configuration.twilio != nil || configuration.mailgun != nil {
        let sms = configuration.twilio.map { TwilioClient(configuration: $0, httpClient: HTTPClient.shared) }
        let email = configuration.mailgun.map { MailgunClient(configuration: $0, httpClient: HTTPClient.shared) }
        app.addServices(OutboxDispatcher(relay: relay, client: sms, email: email, logger: logger))
    }
    return app
}

/// The router with every route and middleware (exposed for router-level tests). With
/// `answeringOtherMethods`, every served path answers its other methods with 405 and `Allow`.
public func buildRouter(relay: Relay, configuration: ServerConfiguration, answeringOtherMethods: Bool = true) -> Router<RelayRequestContext> {
    let router = Router(context: RelayRequestContext.self)
    let metrics = RelayMetrics()
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: MetricsRecordingMiddleware(metrics: metrics))
    router.add(middleware: ErrorEnvelopeMiddleware())
    let scrapeToken = configuration.metricsToken.map(BearerSecret.init)
    router.get("/metrics") { request, _ -> Response in
        // 404, not 401, without the token: nothing says a scrape endpoint is here.
        guard let scrapeToken, let presented = try? RequestSupport.bearerToken(request), scrapeToken.matches(presented)
        else { throw APIError.notFound }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: await metrics.render(relay: relay))))
    }
    router.get("/openapi.json") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
    let limiter = RateLimiter(hashKey: relay.admissionKeys)
    HealthRoutes(relay: relay).register(on: router)
    WebchatPageRoutes(configuration: configuration).register(on: router)
    ConsolePageRoutes().register(on: router)
    WebchatRoutes(
        relay: relay, configuration: configuration, limiter: limiter,
        streams: ClientCounts(maximumPerClient: configuration.maximumStreamsPerClient, exempt: [], hashKey: relay.admissionKeys)
    ).register(on: router)
    let twilio = TwilioRoutes<RelayRequestContext>(relay: relay, configuration: configuration, limiter: limiter, metrics: metrics)
    twilio.register(on: router)
    VoiceRoutes(twilio: twilio).register(on: router)
    ReportRoutes(relay: relay, configuration: configuration, limiter: limiter, metrics: metrics).register(on: router)
    EmailRoutes(relay: relay, configuration: configuration, limiter: limiter, metrics: metrics).register(on: router)
    StaffRoutes(
        relay: relay, configuration: configuration, limiter: limiter,
        streams: ClientCounts(maximumPerClient: ServerConfiguration.staffStreamsPerAccount, exempt: [], hashKey: relay.admissionKeys)
    ).register(on: router)
    if answeringOtherMethods { MethodNotAllowed.register(on: router) }
    return router
}
