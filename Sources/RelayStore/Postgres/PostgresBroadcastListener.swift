import Foundation
import PostgresNIO
import Synchronization

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
            let listened = ListeningFlag()
            do {
                let connection = try await PostgresStore.connect(configuration, id: connectionID, logger: logger)
                defer { Task { try? await connection.close() } }
                let (resuming, channel, heartbeat, logger) = (wasListening, channel, heartbeat, logger)
                // The whole listen ends when the connection closes, even if postgres-nio's own
                // call would not return.
                try await PostgresStore.withDeadline(nil, closing: connection) {
                    try await connection.listen(on: channel) { notifications in
                        if resuming { output.yield(.resumed) }
                        listened.set()
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await notification in notifications { output.yield(.payload(notification.payload)) }
                            }
                            group.addTask {
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
                }
            } catch {
                // Lost or not reached; said once, then retried.
            }
            if listened.isSet {
                wasListening = true
                pause = .milliseconds(100)
            }
            if Task.isCancelled { break }
            if wasListening { output.yield(.interrupted) }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
        output.finish()
    }
}

/// Whether a connection got as far as listening.
private final class ListeningFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
