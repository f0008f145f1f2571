import PostgresNIO

/// A connection of its own, outside the pool, kept open for one small job: the health probe (so
/// that `/healthz` does not wait behind the pool's work or pay for a new connection's
/// authentication each time) and the live-event notices (so that they do not queue behind a
/// burst of writes for a pooled connection, which delayed them by seconds under load). A query
/// that fails or outlasts its patience drops the connection; the next one connects again.
actor PostgresSideConnection {
    private let configuration: PostgresConnection.Configuration
    private let id: Int
    private let logger: Logger
    private var connection: PostgresConnection?
    private var connecting: Task<PostgresConnection?, Never>?

    init(configuration: PostgresConnection.Configuration, id: Int, logger: Logger) {
        self.configuration = configuration
        self.id = id
        self.logger = logger
    }

    /// Whether `query` ran within `patience` (connecting first if need be, bounded by the
    /// connection's own connect timeout). Callers at once share one connection attempt.
    func run(_ query: PostgresQuery, within patience: Duration) async -> Bool {
        if connection == nil {
            let attempt: Task<PostgresConnection?, Never>
            if let connecting {
                attempt = connecting
            } else {
                let (configuration, id, logger) = (self.configuration, self.id, self.logger)
                attempt = Task { try? await PostgresStore.connect(configuration, id: id, logger: logger) }
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
            try await PostgresStore.withDeadline(patience) {
                _ = try await connection.query(query, logger: logger).collect()
            }
            return true
        } catch {
            if self.connection === connection { self.connection = nil }
            // Closing a dead connection may never return: not awaited.
            Task { try? await connection.close() }
            return false
        }
    }

    /// Closes the connection, if open.
    func close() async {
        if let connection {
            self.connection = nil
            try? await connection.close()
        }
    }
}
