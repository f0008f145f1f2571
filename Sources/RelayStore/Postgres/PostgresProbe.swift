import PostgresNIO

/// The health probe's connection of its own, kept open: `/healthz` asks whether the database
/// answers without waiting behind the pool's work or paying for a new connection's authentication
/// each time (which, on a busy machine, takes longer than the probe may).
actor PostgresProbe {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private var connection: PostgresConnection?
    private var connecting: Task<PostgresConnection?, Never>?

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether the database answers `SELECT 1` within `patience` (connecting first if need be,
    /// bounded by the connection's own connect timeout). Probes at once share one attempt.
    func answers(within patience: Duration) async -> Bool {
        if connection == nil {
            let attempt: Task<PostgresConnection?, Never>
            if let connecting {
                attempt = connecting
            } else {
                let (configuration, logger) = (self.configuration, self.logger)
                attempt = Task { try? await PostgresStore.connect(configuration, id: 0x5052, logger: logger) }
                connecting = attempt
            }
            let made = await attempt.value
            if connecting == attempt {
                connecting = nil
                connection = made
            }
        }
        guard let connection else { return false }
        do {
            let logger = self.logger
            try await PostgresStore.withDeadline(patience, closing: connection) {
                _ = try await connection.query("SELECT 1", logger: logger).collect()
            }
            return true
        } catch {
            if self.connection === connection { self.connection = nil }
            // Closing a dead connection may never return: not awaited.
            Task { try? await connection.close() }
            return false
        }
    }

    /// Closes the connection.
    func close() async {
        if let connection {
            self.connection = nil
            try? await connection.close()
        }
    }
}
