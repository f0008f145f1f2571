import RelayChannels
import RelayCore

/// How the HTTP server is set up. Built by the `serve` command from flags and `SAFERELAY_*` variables.
public struct ServerConfiguration: Sendable {
    /// The address to bind; `127.0.0.1` unless an operator says otherwise.
    public var host: String
    /// The port; 0 picks a free one (tests).
    public var port: Int
    /// The URL Twilio signs requests for (scheme, host, port), without a trailing slash.
    public var publicURL: String
    /// Largest request body accepted, in bytes (webhooks and JSON).
    public var maximumBodyBytes: Int
    /// Where the webchat's quick exit sends the browser: a neutral site.
    public var exitURL: String
    /// The SMS provider; `nil` means SMS routes answer 503.
    public var twilio: TwilioConfiguration?
    /// The email provider (Mailgun); `nil`: no email channel.
    public var mailgun: MailgunConfiguration?
    /// The hotline's phone line (E.164) the voice menu puts callers through to; `nil`: no voice menu.
    public var voiceDialNumber: String?
    /// Abuse limits.
    public var rateLimits: RateLimits
    /// The retention policy the server applies on a schedule (`nil`: none, checkpoints only).
    public var retentionPolicy: RetentionPolicy?
    /// Behind a reverse proxy: the header whose last address is the client's (e.g. `X-Forwarded-For`),
    /// used only for per-client admission. `nil`: the socket peer's address.
    public var clientAddressHeader: String?
    /// The peers whose `clientAddressHeader` is believed (your reverse proxies); from any other peer
    /// the header is ignored and the peer's own address counts.
    public var trustedProxies: Set<String> = ["127.0.0.1", "::1"]
    /// How often an open live stream re-checks that its session still stands (staff streams; a
    /// survivor's stream checks at ``webchatStreamRecheck``). In-process endings are immediate.
    public var staffStreamRecheck: Duration = .seconds(2)
    /// The bearer token `/metrics` answers to (at least 32 characters); `nil`: `/metrics` answers
    /// 404 to everyone. Queue sizes and per-route counts tell an outsider when a contact happens.
    public var metricsToken: String?
    /// A connection with no request under way (between keep-alive requests, or one whose header is
    /// still trickling in) is closed after this long.
    public var idleTimeout: Duration = .seconds(15)
    /// A request's header-to-end-of-body must arrive within this long, or the connection closes.
    public var requestTimeout: Duration = .seconds(15)
    /// Most connections one client address (an IPv6 /64) may hold at once; not applied to
    /// ``trustedProxies`` when ``clientAddressHeader`` is set.
    public var maximumConnectionsPerClient = 64
    /// Most live streams (webchat) one client address may hold open at once, so that one client
    /// cannot fill the server's stream cap with sessions of its own.
    public var maximumStreamsPerClient = 8
    /// Most live streams one staff account may hold open, over all its sessions.
    public static let staffStreamsPerAccount = 8
    /// How often a survivor's open stream re-checks its session (idle expiry, ended elsewhere).
    public var webchatStreamRecheck: Duration = .seconds(15)
    /// How long an open stream goes on while the store cannot say whether its session still stands
    /// (busy, out of reach); then it closes without saying the session ended, and the client
    /// reconnects.
    public var streamUnknownLimit: Duration = .seconds(30)

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, maximumBodyBytes: Int = 64 * 1024,
        exitURL: String = "https://www.google.com/search?q=weather", twilio: TwilioConfiguration? = nil,
        rateLimits: RateLimits = RateLimits()
    ) {
        self.host = host
        self.port = port
        let url = publicURL ?? "http://\(host):\(port)"
        self.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.maximumBodyBytes = maximumBodyBytes
        self.exitURL = exitURL
        self.twilio = twilio
        self.rateLimits = rateLimits
        self.retentionPolicy = nil
    }
}

/// Token-bucket limits: a sustained rate per second and a burst.
public struct RateLimits: Sendable {
    /// One bucket's shape.
    public struct Bucket: Sendable {
        /// Tokens added per second.
        public var perSecond: Double
        /// Most tokens held.
        public var burst: Double

        /// Creates a bucket shape.
        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    /// Per webchat session or SMS contact.
    public var perSender = Bucket(perSecond: 1, burst: 20)
    /// Webchat session starts from one client (its address, as a keyed hash held in memory and
    /// forgotten after ten idle minutes).
    public var perClientStarts = Bucket(perSecond: 0.2, burst: 10)
    /// All webchat session starts together: a backstop against a distributed flood. Resumes, staff
    /// logins and enrolments each have a backstop of their own (``resumes``, ``staffLogins``), so a
    /// flood of one never refuses another.
    public var sessionStarts = Bucket(perSecond: 20, burst: 100)
    /// Resume attempts from one client.
    public var perClientResumes = Bucket(perSecond: 0.2, burst: 10)
    /// All resume attempts together.
    public var resumes = Bucket(perSecond: 20, burst: 100)
    /// Staff logins and enrolments from one client.
    public var perClientLogins = Bucket(perSecond: 0.1, burst: 10)
    /// All staff logins and enrolments together.
    public var staffLogins = Bucket(perSecond: 5, burst: 50)
    /// All inbound messages together, SMS and webchat.
    public var global = Bucket(perSecond: 5_000, burst: 10_000)
    /// The share of ``global`` webchat may use, so that an anonymous webchat flood can never take
    /// the whole bucket from SMS (Twilio does not retry an inbound message refused with 429).
    public var webchatShare = 0.8

    /// The defaults.
    public init() {}
}
