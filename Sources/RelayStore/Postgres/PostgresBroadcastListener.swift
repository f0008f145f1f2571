import Foundation
import PostgresNIO

/// One instance's listening connection: `LISTEN`s on the broadcast channel on a connection of its
/// own (not the pool's), hands every notification on, checks every few seconds that the
/// connection still answers, and when it is lost says so, reconnects with a growing pause (up to
/// five seconds) and says when it is back, so that the listener can read what it missed.
struct PostgresBroadcastListener: Sendable {
    let configuration: PostgresConnection.Configuration
    let channel: String
    let logger: Logger
    /// How often the listening connection is asked whether it still answers.
    var heartbeat: Duration = .seconds(5)

    /// Runs until the task is cancelled.
    func run(into output: AsyncStream<StoreBroadcast>.Continuation) async {
        var pause = Duration.milliseconds(100)
        var connectionID = 0
        var wasListening = false
        while !Task.isCancelled {
            connectionID += 1
            do {
                let connection = try await PostgresStore.connect(configuration, id: connectionID, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: channel) { notifications in
                    if wasListening { output.yield(.resumed) }
                    wasListening = true
                    pause = .milliseconds(100)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await notification in notifications { output.yield(.payload(notification.payload)) }
                        }
                        group.addTask { [heartbeat, logger] in
                            while true {
                                try await Task.sleep(for: heartbeat)
                                try await PostgresStore.withDeadline(heartbeat) {
                                    _ = try await connection.query("SELECT 1", logger: logger).collect()
                                }
                            }
                        }
                        // Either ending (the connection lost, a heartbeat unanswered) ends both.
                        _ = try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                // Lost or not reached; said once, then retried.
            }
            if Task.isCancelled { break }
            if wasListening { output.yield(.interrupted) }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
        output.finish()
    }
}
