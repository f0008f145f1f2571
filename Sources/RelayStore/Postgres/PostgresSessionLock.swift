import PostgresNIO

/// A session-level advisory lock held on a connection of its own: whoever holds it keeps it for
/// as long as that connection lives, so that an instance that dies (or loses the database) lets
/// it go by itself and the next to ask takes it.
actor PostgresSessionLock {
    private let configuration: PostgresConnection.Configuration
    private let key: Int64
    private let logger: Logger
    private var connection: PostgresConnection?
    private var released = false

    init(configuration: PostgresConnection.Configuration, key: Int64, logger: Logger) {
        self.configuration = configuration
        self.key = key
        self.logger = logger
    }

    /// Whether this process holds the lock now: checks that the holding connection still answers,
    /// or tries to take the lock on a new connection (without waiting for it).
    func isHeld() async -> Bool {
        guard !released else { return false }
        if let connection {
            do {
                try await PostgresStore.withDeadline(.seconds(5)) { [logger] in
                    _ = try await connection.query("SELECT 1", logger: logger).collect()
                }
                return true
            } catch {
                // Lost (the lock with it). Closing a dead connection may never return: not awaited.
                self.connection = nil
                Task { try? await connection.close() }
            }
        }
        let fresh: PostgresConnection
        do {
            fresh = try await PostgresStore.connect(configuration, id: Int(key & 0xFFFF), logger: logger)
        } catch {
            return false
        }
        do {
            let (key, logger) = (self.key, self.logger)
            let taken = try await PostgresStore.withDeadline(.seconds(5)) {
                let rows = try await fresh.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
                var taken = false
                for try await (value) in rows.decode(Bool.self) { taken = value }
                return taken
            }
            if taken && !released {
                connection = fresh
                return true
            }
        } catch {}
        Task { try? await fresh.close() }
        return false
    }

    /// Lets the lock go (the store is closing).
    func release() async {
        released = true
        if let connection {
            self.connection = nil
            try? await connection.close()
        }
    }
}
