import Foundation
@testable import RelayCore
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// The server's own retention pass and checkpoints (README: "applies --policy every 15 minutes").
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct ComplianceSchedulerTests {
    @Test func theSchedulerAppliesThePolicyAndWritesCheckpoints() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.file("saferelay.sqlite"))
        defer { try? store.close() }
        let (relay, thread, running) = try await Self.scheduling(on: store)
        defer { running.cancel() }
        let deadline = Date().addingTimeInterval(30)
        var state: ThreadState?
        var checkpoints = 0
        while Date() < deadline {
            state = try await store.read { try await $0.thread(id: thread)?.state }
            checkpoints = try await store.read { try await $0.auditCheckpoints().count }
            if state == .erased && checkpoints > 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(state == .erased)
        #expect(checkpoints > 0)
        #expect(try await relay.auditLog.verify().isValid)
    }

    /// Instances sharing a PostgreSQL database take turns: while one holds the scheduler lock,
    /// another's scheduler runs no retention and writes no checkpoint; when the holder goes (its
    /// connection closes, as when it is killed), the other takes over by itself.
    @Test func onAStoreSharedByInstancesOnlyTheLockHolderRunsScheduledWork() async throws {
        let database = try await TestDatabase.create()
        let holder = try await PostgresStore(url: database.url)
        let other = try await PostgresStore(url: database.url)
        do {
            #expect(await holder.holdsSchedulerLock())
            let (relay, thread, running) = try await Self.scheduling(on: other)
            defer { running.cancel() }
            @Sendable func done() async throws -> Bool {
                let state = try await other.read { try await $0.thread(id: thread)?.state }
                let checkpoints = try await other.read { try await $0.auditCheckpoints().count }
                return state == .erased && checkpoints > 0
            }
            // Some fifty ticks with the lock elsewhere: nothing scheduled runs here.
            try await Task.sleep(for: .seconds(1))
            #expect(try await other.read { try await $0.thread(id: thread)?.state } != .erased)
            #expect(try await other.read { try await $0.auditCheckpoints().count } == 0)
            try holder.close()
            #expect(try await RelayTestServer.waitUntil(timeout: 30) { try await done() })
            #expect(try await relay.auditLog.verify().isValid)
        } catch {
            try? holder.close()
            try? other.close()
            try? await database.drop()
            throw error
        }
        try? holder.close()
        try other.close()
        try await database.drop()
    }

    /// A relay on `store` with one thread idle for three hours, and its scheduler running every
    /// 20 ms under a policy that erases a thread as soon as it closes (idle two hours).
    static func scheduling(on store: any RelayStore) async throws -> (Relay, String, Task<Void, any Error>) {
        let clock = ManualClock()
        let relay = Relay(store: store, keyring: .generateForTest(), clock: clock, logger: CapturedLogs().logger())
        let thread = try await relay.intake.ingest(InboundMessage(address: .phone("+12025550100"), body: "gone at close", deliveryID: "SM1")).threadID
        clock.advance(by: 3 * 3600)
        let policy = try RetentionPolicy.parse(
            "content: {idle_close_after: 2h, after_close: 0}\nmetadata: {keep_for: 30d}\naudit: {keep_for: 1y}\n", file: "zero.yaml")
        var scheduler = ComplianceScheduler(relay: relay, policy: policy, logger: CapturedLogs().logger())
        scheduler.tick = .milliseconds(20)
        scheduler.retentionInterval = .milliseconds(20)
        scheduler.checkpointInterval = .milliseconds(20)
        let running = Task { try await scheduler.run() }
        return (relay, thread, running)
    }
}
