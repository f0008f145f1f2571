import PostgresNIO

/// The health probe's connection of its own, kept open: `/healthz` asks whether the database
/// answers without waiting behind the pool's work or paying for a new connection's authentication
/// each time (which, on a busy machine, takes longer than the probe may).
actor PostgresProbe {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private var connection: PostgresConnection?

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether the database answers `SELECT 1` within `patience` (connecting first if need be,
    /// which the first probe after a loss may take longer for).
    func answers(within patience: Duration) async -> Bool {
        if connection == nil {
            let configuration = self.configuration
            let logger = self.logger
            let slot = ConnectionSlot()
            do {
                try await PostgresStore.withDeadline(.seconds(5)) {
                    slot.connection = try await PostgresConnection.connect(configuration: configuration, id: 0x5052, logger: logger)
                }
            } catch {
                return false
            }
            connection = slot.connection
        }
        guard let connection else { return false }
        do {
            let logger = self.logger
            try await PostgresStore.withDeadline(patience) {
                _ = try await connection.query("SELECT 1", logger: logger).collect()
            }
            return true
        } catch {
            self.connection = nil
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

    /// Where the connecting task leaves its connection.
    private final class ConnectionSlot: @unchecked Sendable {
        var connection: PostgresConnection?
    }
}
