/// How the HTTP server is set up. Built by the `serve` command from flags and `SAFERELAY_*` variables.
public struct ServerConfiguration: Sendable, Equatable {
    /// The address to bind; `127.0.0.1` unless an operator says otherwise.
    public var host: String
    /// The port; 0 picks a free one (tests).
    public var port: Int
    /// The URL Twilio signs requests for (scheme, host, port), without a trailing slash.
    public var publicURL: String
    /// Largest request body accepted, in bytes.
    public var maximumBodyBytes: Int

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, maximumBodyBytes: Int = 64 * 1024) {
        self.host = host
        self.port = port
        self.publicURL = publicURL ?? "http://\(host):\(port)"
        self.maximumBodyBytes = maximumBodyBytes
    }
}
