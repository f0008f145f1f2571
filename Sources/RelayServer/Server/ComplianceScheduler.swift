import Foundation
import Logging
import RelayCore
import ServiceLifecycle

/// Runs in the server: applies the configured retention policy every `retentionInterval` (only when
/// the plan has work, in small batches that let live traffic interleave), and writes a signed audit
/// checkpoint every `checkpointInterval` when the log has grown. On a store several instances share,
/// only the instance holding the scheduler lock does either; the others keep asking, so that one
/// takes over when the holder dies.
public struct ComplianceScheduler: Service, CustomStringConvertible {
    let relay: Relay
    let policy: RetentionPolicy?
    let logger: Logger
    /// Time between retention passes.
    public var retentionInterval: Duration = .seconds(15 * 60)
    /// Time between checkpoints.
    public var checkpointInterval: Duration = .seconds(5 * 60)
    /// How often the scheduler wakes to see whether either is due.
    public var tick: Duration = .seconds(5)

    /// Creates the scheduler; without a policy only checkpoints are written.
    public init(relay: Relay, policy: RetentionPolicy?, logger: Logger) {
        self.relay = relay
        self.policy = policy
        self.logger = logger
    }

    public var description: String { "ComplianceScheduler" }

    public func run() async throws {
        var lastCheckpointSize: Int64 = -1
        // Both are due at start-up, then every interval.
        var sinceRetention: Duration = retentionInterval
        var sinceCheckpoint: Duration = checkpointInterval
        // A deletion by another process (the CLI) or before a crash may have left deleted bytes in
        // the WAL: truncate once at start (retried in the background if a reader holds it up).
        await relay.walTruncation.truncate()
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await appendPendingAudit()
                // A purge by the CLI (another process) leaves a marker until the WAL is truncated.
                _ = try? await relay.retention.settleOwedTruncation()
                // Instances sharing a store take turns: one holds the scheduler lock at a time.
                if (policy != nil && sinceRetention >= retentionInterval) || sinceCheckpoint >= checkpointInterval,
                    await relay.operations.runsScheduledWork()
                {
                    if let policy, sinceRetention >= retentionInterval {
                        await runRetention(policy)
                        sinceRetention = .zero
                    }
                    if sinceCheckpoint >= checkpointInterval {
                        lastCheckpointSize = await checkpointIfGrown(since: lastCheckpointSize)
                        sinceCheckpoint = .zero
                    }
                }
                // A stop wakes the sleep: the server need not wait out a tick to close the store.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
                sinceRetention += tick
                sinceCheckpoint += tick
            }
        } onGracefulShutdown: {
            logger.debug("compliance scheduler stopping")
        }
    }

    /// Audit events of erasures that went ahead while the log was unwritable join the log as soon as it can take them.
    func appendPendingAudit() async {
        do {
            try await relay.auditLog.flushPending()
        } catch {
            logger.error("pending audit events still cannot be appended", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
        }
    }

    func runRetention(_ policy: RetentionPolicy) async {
        do {
            let now = relay.clock.now()
            let plan = try await relay.retention.plan(policy: policy, asOf: now)
            let counts = plan.counts
            guard counts.threadsToClose + counts.threadsToPurge + counts.metadataToDelete > 0 else { return }
            _ = try await relay.retention.apply(policy: policy, asOf: now, actor: "system", batchSize: 200)
        } catch {
            logger.error("scheduled retention failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
        }
    }

    func checkpointIfGrown(since last: Int64) async -> Int64 {
        do {
            let size = try await relay.auditLog.size()
            guard size != last else { return last }
            return try await relay.auditLog.writeCheckpoint().treeSize
        } catch {
            logger.error("scheduled audit checkpoint failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            return last
        }
    }
}
