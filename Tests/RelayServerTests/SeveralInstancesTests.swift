import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
@testable import RelayCore
import RelayCrypto
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// Two relay instances on one PostgreSQL database over real HTTP, each with its own server,
/// dispatcher and listening connection: what one is told reaches the streams of the other, a
/// reply is sent once whichever dispatcher claims it, and a lost database is a 503 the relay
/// recovers from by itself.
/// A cluster of a test's own (initdb, halt, resume) is slow on a loaded two-core machine: the
/// limit leaves room for it.
@Suite(.timeLimit(.minutes(6)))
struct SeveralInstancesTests {
    /// Runs `body` with two instances on a fresh database of the test cluster.
    static func twoInstances(_ body: @escaping @Sendable (RelayTestServer, RelayTestServer) async throws -> Void) async throws {
        let database = try await TestDatabase.create()
        let shared = RelayTestServer.SharedInstance(
            databaseURL: database.url, keyring: .generate(now: "2026-11-30T20:00:00Z"), twilio: StandInTwilio())
        do {
            try await RelayTestServer.run(instance: shared) { first in
                try await RelayTestServer.run(instance: shared) { second in
                    try await body(first, second)
                }
            }
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    /// Runs `body` with one instance on a fresh database of the test cluster (connections are let
    /// in again and the database dropped afterwards, whatever happens).
    static func oneInstance(
        configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (RelayTestServer, TestDatabase) async throws -> Void
    ) async throws {
        let database = try await TestDatabase.create()
        let shared = RelayTestServer.SharedInstance(
            databaseURL: database.url, keyring: .generate(now: "2026-11-30T20:00:00Z"), twilio: StandInTwilio(),
            connectionPatience: .seconds(1))
        do {
            try await RelayTestServer.run(configure: configure, instance: shared) { server in try await body(server, database) }
        } catch {
            try? await allowConnections(true, to: database)
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    @Test func aTextIntoOneInstanceReachesAnAdvocatesStreamOnTheOtherWithIdsOnly() async throws {
        try await Self.twoInstances { a, b in
            let ana = try await StaffAPITests.staff(b, "ana", .advocate)
            let stream = try await LiveStream.open(port: b.client.port!, token: ana, path: "/api/v1/events")
            #expect(try await a.inboundSMS(from: "+12025550100", body: "CANARY-ACROSS help me", sid: "SM" + String(format: "%032x", 7)).0 == .ok)
            let frame = try await stream.next(containing: "event: thread.message")
            let thread = try #require(try await a.store.read { try await $0.openThreads(limit: 5).first?.id })
            #expect(frame.contains(thread))
            #expect(!frame.contains("CANARY") && !frame.contains("2025550100"))
            await stream.close()
        }
    }

    @Test func anAdvocatesReplyOnOneInstanceReachesTheSurvivorsPageOnTheOther() async throws {
        try await Self.twoInstances { a, b in
            let token = try await a.startChat()
            let page = try await LiveStream.open(port: a.client.port!, token: token)
            let sent = try await a.chat(
                .post, "/chat/messages", token: token, json: #"{"text":"is anyone there"}"#, headers: ["Idempotency-Key": "key-0001-abcdef"])
            #expect(sent.0 == .created)
            let ana = try await StaffAPITests.staff(b, "ana", .advocate)
            let thread = try #require(try await b.store.read { try await $0.openThreads(limit: 5).first?.id })
            #expect(try await b.chat(.post, "/api/v1/threads/\(thread)/claim", token: ana, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (status, _) = try await b.chat(.post, "/api/v1/threads/\(thread)/replies", token: ana, json: #"{"text":"Yes, I am here with you."}"#)
            #expect(status == .created)
            // Instance A read and decrypted the reply itself: the notice carried only its id.
            let frame = try await page.next(containing: "Yes, I am here with you.")
            #expect(frame.contains("event: message") && frame.contains(#""from":"advocate""#))
            await page.close()
        }
    }

    @Test func repliesQueuedOnEitherInstanceAreSentExactlyOnceWhileBothDispatchersRun() async throws {
        try await Self.twoInstances { a, b in
            var replies: [(RelayTestServer, String)] = []
            for index in 0..<12 {
                let phone = "+1202555\(String(format: "%04d", 200 + index))"
                let thread = try await a.relay.intake.ingest(
                    InboundMessage(address: .phone(phone), body: "hello", deliveryID: "SM" + String(format: "%032x", 100 + index))).threadID
                let on = index % 2 == 0 ? a : b
                let reply = try await on.relay.outbox.queueReply(threadID: thread, text: "reply number \(index)")
                replies.append((on, reply.messageID))
            }
            for (server, id) in replies {
                #expect(try await server.eventually("sent") { try await server.relay.outbox.state(messageID: id) == .sent })
            }
            // Both dispatchers keep polling: give them time to send anything twice.
            try await Task.sleep(for: .seconds(1))
            let counts = await a.twilio.bodyCounts
            #expect(counts.count == 12)
            #expect(counts.values.allSatisfy { $0 == 1 }, "a reply went out more than once: \(counts.values.sorted())")
        }
    }

    @Test func aSendAnotherInstanceHasUnderWayIsNotTakenForACrashUntilItsLeaseRunsOut() async throws {
        try await Self.twoInstances { a, b in
            let thread = try await a.relay.intake.ingest(
                InboundMessage(address: .phone("+12025550111"), body: "hello", deliveryID: "SM" + String(format: "%032x", 1))).threadID
            // A stand-in that never answers keeps A's send in flight.
            await a.twilio.hold(for: .seconds(60))
            let reply = try await a.relay.outbox.queueReply(threadID: thread, text: "in flight")
            #expect(try await a.eventually("claimed") { try await a.relay.outbox.state(messageID: reply.messageID) == .sending })
            #expect(try await b.relay.outbox.recoverInFlight() == 0)
            #expect(try await a.relay.outbox.state(messageID: reply.messageID) == .sending)
            // Had A died, its claim goes stale: another instance turns it into `unknown`, never a resend.
            b.clock.advance(by: OutboxService.inFlightLease + 1)
            #expect(try await b.relay.outbox.recoverInFlight() == 1)
            #expect(try await a.relay.outbox.state(messageID: reply.messageID) == .unknown)
            await a.twilio.release()
        }
    }

    /// Anyone who may connect to the database can `NOTIFY` on the relay's channel. A notice is a hint
    /// to read the store, never a source of content or a claim the store is not asked about: a forged
    /// one cannot show one person's message on another's page or an advocate's stream, nor tell a
    /// page that a message it still has was deleted or that its person was erased.
    @Test func forgedNoticesShowNoContentToTheWrongPageAndClaimNothingTheStoreDenies() async throws {
        try await Self.oneInstance { server, database in
            func send(_ token: String, _ text: String, key: String) async throws -> (message: String, contact: String) {
                let (status, body) = try await server.chat(
                    .post, "/chat/messages", token: token, json: #"{"text":"\#(text)"}"#, headers: ["Idempotency-Key": key])
                #expect(status == .created)
                let id = try #require(try JSONDecoder().decode([String: String].self, from: Data(body.utf8))["id"])
                let contact = try #require(try await server.store.read { reader -> String? in
                    guard let message = try await reader.message(id: id) else { return nil }
                    return try await reader.thread(id: message.threadID)?.contactID
                })
                return (id, contact)
            }
            let other = try await send(try await server.startChat(), "OTHER-PERSONS-CANARY", key: "forged-key-0001")
            let token = try await server.startChat()
            let own = try await send(token, "MY-OWN-WORDS", key: "forged-key-0002")
            let page = try await LiveStream.open(port: server.client.port!, token: token)
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let console = try await LiveStream.open(port: server.client.port!, token: ana, path: "/api/v1/events")

            func notify(_ notices: [LiveEventNotice]) async throws {
                let payload = String(decoding: try JSONEncoder().encode(LiveEventBatch(instance: "forged", notices: notices)), as: UTF8.self)
                try await TestDatabase.admin(database.url) { connection, logger in
                    try await connection.query("SELECT pg_notify('saferelay_events', \(payload))", logger: logger)
                }
            }
            let staff = LiveEvents.staffChannel
            try await notify([
                LiveEventNotice(kind: "message", channel: own.contact, id: other.message),
                LiveEventNotice(kind: "message", channel: staff, id: other.message),
                LiveEventNotice(kind: "message", channel: staff, id: own.message),
                LiveEventNotice(kind: "deleted", channel: own.contact, id: own.message),
                LiveEventNotice(kind: "erased", channel: own.contact),
                LiveEventNotice(kind: "erased", channel: staff),
            ])
            // Then notices the store bears out, in the same order: once they arrive, every
            // forged one before them has been handled.
            try await notify([
                LiveEventNotice(kind: "message", channel: own.contact, id: own.message),
                LiveEventNotice(kind: "queue.changed", channel: staff, thread: "after-the-forgeries"),
            ])
            let pageFrames = try await page.frames(through: "MY-OWN-WORDS")
            #expect(pageFrames.last?.contains("MY-OWN-WORDS") == true, "the page never got the true notice: \(pageFrames.last ?? "")")
            #expect(!pageFrames.contains { $0.contains("OTHER-PERSONS-CANARY") })
            #expect(!pageFrames.contains { $0.contains("event: deleted") || $0.contains("event: erased") })
            let consoleFrames = try await console.frames(through: "after-the-forgeries")
            #expect(consoleFrames.last?.contains("after-the-forgeries") == true)
            #expect(!consoleFrames.contains { $0.contains("CANARY") || $0.contains("MY-OWN-WORDS") || $0.contains("event: message") })
            #expect(!consoleFrames.contains { $0.contains("erased") })
            await page.close()
            await console.close()
        }
    }

    /// A store that cannot say whether a session stands (its database refuses connections for a
    /// moment) does not end that session's live streams: an advocate's console keeps its stream
    /// through a short outage, and it never hears that her session ended.
    @Test func aShortOutageDoesNotEndTheAdvocatesStream() async throws {
        // A loaded machine may take a while to see the outage: the stream's own limit is not what is shown here.
        try await Self.oneInstance(configure: { $0.streamUnknownLimit = .seconds(300) }) { server, database in
            @Sendable func allowConnections(_ allowed: Bool) async throws { try await Self.allowConnections(allowed, to: database) }
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let console = try await LiveStream.open(port: server.client.port!, token: ana, path: "/api/v1/events")
            try await allowConnections(false)
            #expect(try await RelayTestServer.waitUntil(timeout: 30) { try await server.chat(.get, "/healthz", token: nil).0 == .serviceUnavailable })
            // Several re-checks (every 200 ms here) find no answer.
            try await Task.sleep(for: .seconds(2))
            try await allowConnections(true)
            #expect(try await RelayTestServer.waitUntil(timeout: 60) { try await server.chat(.get, "/healthz", token: nil).0 == .ok })
            #expect(try await server.inboundSMS(from: "+12025550100", body: "after", sid: "SM" + String(format: "%032x", 3)).0 == .ok)
            let frames = try await console.frames(through: "event: thread.message")
            #expect(frames.last?.contains("event: thread.message") == true, "the stream: \(frames.last ?? "")")
            #expect(!frames.contains { $0.contains("event: ended") })
            await console.close()
        }
    }

    /// Past its limit without an answer, a stream closes quietly (never "ended": the session may
    /// well stand), and the same token opens a stream again once the store answers.
    @Test func aLongerOutageClosesTheStreamQuietlyAndTheSessionStands() async throws {
        try await Self.oneInstance(configure: { $0.streamUnknownLimit = .milliseconds(500) }) { server, database in
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let console = try await LiveStream.open(port: server.client.port!, token: ana, path: "/api/v1/events")
            try await Self.allowConnections(false, to: database)
            let frames = try await console.frames(through: "\u{0}never\u{0}")
            try await Self.allowConnections(true, to: database)
            #expect(frames.last == "<stream ended>", "the stream: \(frames.last ?? "")")
            #expect(!frames.contains { $0.contains("event: ended") })
            #expect(try await RelayTestServer.waitUntil(timeout: 60) { try await server.chat(.get, "/healthz", token: nil).0 == .ok })
            let again = try await LiveStream.open(port: server.client.port!, token: ana, path: "/api/v1/events")
            await again.close()
        }
    }

    /// Lets connections to `database` in again, or refuses them and ends those open.
    static func allowConnections(_ allowed: Bool, to database: TestDatabase) async throws {
        try await TestDatabase.admin(database.clusterURL) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(database.name) ALLOW_CONNECTIONS \(allowed)"), logger: logger)
            guard !allowed else { return }
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = '\(database.name)' AND pid <> pg_backend_pid()
                    """), logger: logger)
            for try await _ in rows {}
        }
    }

    @Test func oneInstanceAtATimeRunsScheduledWorkAndAnotherTakesOverWhenItGoes() async throws {
        let database = try await TestDatabase.create()
        let first = try await PostgresStore(url: database.url)
        let second = try await PostgresStore(url: database.url)
        #expect(await first.holdsSchedulerLock())
        #expect(await !second.holdsSchedulerLock())
        #expect(await first.holdsSchedulerLock())
        // The holder's connection dies (its instance was killed): the lock goes with it.
        try await TestDatabase.admin(try TestDatabase.clusterURL()) { connection, logger in
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT pg_terminate_backend(pid) FROM pg_locks
                    WHERE locktype = 'advisory' AND objid = \(PostgresStore.schedulerLock & 0xFFFF_FFFF)
                      AND database = (SELECT oid FROM pg_database WHERE datname = '\(database.name)')
                    """), logger: logger)
            for try await _ in rows {}
        }
        #expect(try await RelayTestServer.waitUntil { await second.holdsSchedulerLock() })
        #expect(await !first.holdsSchedulerLock())
        try first.close()
        try second.close()
        try await database.drop()
    }

    /// Run on its own by `scripts/test` (`SAFERELAY_TEST_LOST_DATABASE=1`), after the suite: alongside
    /// the others it twice hung past its time limit (cause not found yet; alone it has not).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SAFERELAY_TEST_LOST_DATABASE"] == "1", "run alone by scripts/test"))
    func aLostDatabaseIsA503ForHealthAndWebhooksAndTheRelayRecoversByItself() async throws {
        let cluster = try await PrivateCluster.spare()
        let database = try await TestDatabase.create(in: cluster.url)
        let shared = RelayTestServer.SharedInstance(
            databaseURL: database.url, keyring: .generate(now: "2026-11-30T20:00:00Z"), twilio: StandInTwilio(),
            connectionPatience: .seconds(1))
        do {
            try await Self.loseAndRecover(cluster, shared)
        } catch {
            await cluster.stop()
            try? await database.drop()
            throw error
        }
        await cluster.stop()
        try await database.drop()
    }

    static func loseAndRecover(_ cluster: PrivateCluster, _ shared: RelayTestServer.SharedInstance) async throws {
        try await RelayTestServer.run(configure: { $0.streamUnknownLimit = .seconds(300) }, instance: shared) { server in
            #expect(try await server.chat(.get, "/healthz", token: nil).0 == .ok)
            #expect(try await server.inboundSMS(from: "+12025550100", body: "before", sid: "SM" + String(format: "%032x", 1)).0 == .ok)
            // An advocate's live stream outlives the outage: a store that cannot say whether her
            // session stands does not end it (nor say it ended).
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let console = try await LiveStream.open(port: server.client.port!, token: ana, path: "/api/v1/events")
            try await cluster.halt()
            #expect(try await RelayTestServer.waitUntil(timeout: 30) { try await server.chat(.get, "/healthz", token: nil).0 == .serviceUnavailable })
            // The provider is told to try again (its retry or fallback URL takes over): nothing is acknowledged unstored.
            let (lost, body) = try await server.inboundSMS(from: "+12025550100", body: "during", sid: "SM" + String(format: "%032x", 2))
            #expect(lost == .serviceUnavailable)
            #expect(!body.contains("during") && !body.contains("2025550100") && !body.contains("postgres"))
            try await cluster.resume()
            #expect(try await RelayTestServer.waitUntil(timeout: 60) { try await server.chat(.get, "/healthz", token: nil).0 == .ok })
            // The provider's retry now lands, once.
            #expect(try await server.inboundSMS(from: "+12025550100", body: "during", sid: "SM" + String(format: "%032x", 2)).0 == .ok)
            let frames = try await console.frames(through: "event: thread.message")
            #expect(frames.last?.contains("event: thread.message") == true, "the stream: \(frames.last ?? "")")
            #expect(!frames.contains { $0.contains("event: ended") })
            await console.close()
            let thread = try #require(try await server.store.read { try await $0.openThreads(limit: 5).first?.id })
            #expect(try await server.store.read { try await $0.messages(threadID: thread).count } == 2)
            let logs = server.logs.text
            #expect(!logs.contains(shared.databaseURL) && !logs.contains("during"))
        }
    }
}

extension RelayTestServer {
    /// Waits (bounded) until `condition` holds.
    static func waitUntil(timeout: TimeInterval = 10, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
