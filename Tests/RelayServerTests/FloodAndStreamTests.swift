import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RelayCore
import RelayCrypto
import RelayModel
@testable import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// Invariant 11 and the end of live streams, over real HTTP: a flood of anonymous sessions cannot
/// hide a person from advocates, one client cannot use up everyone's admission, webchat counts in
/// the global inbound limit, and a stream ends with its session.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct FloodAndStreamTests {
    @Test(.timeLimit(.minutes(3)))
    func aFloodOfAnonymousSessionsCannotHideAnSMSFromTheQueue() async throws {
        // As if the flood came from many clients: no limit stops it here, only the queue's shape helps.
        var limits = RelayTestServer.testLimits
        limits.sessionStarts = .init(perSecond: 100_000, burst: 100_000)
        try await RelayTestServer.run(rateLimits: limits) { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            // An SMS conversation already answered and still open: waiting for no one, so never pinned.
            #expect(try await server.inboundSMS(from: "+12025550180", body: "thanks", sid: "SM" + String(format: "%032x", 2)).0 == .ok)
            let answered = try #require(try await server.store.read { try await $0.openThreads(limit: 1).first?.id })
            #expect(try await server.chat(.post, "/api/v1/threads/\(answered)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            server.clock.advance(by: 30)
            #expect(try await server.chat(.post, "/api/v1/threads/\(answered)/replies", token: advocate, json: #"{"text":"you are welcome"}"#).0 == .created)
            server.clock.advance(by: 1)
            let flood = 520
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in stride(from: 0, to: flood, by: 26) {
                    group.addTask {
                        for index in batch..<min(batch + 26, flood) {
                            let token = try await server.startChat()
                            let (status, _) = try await server.chat(
                                .post, "/chat/messages", token: token, json: #"{"text":"help"}"#, headers: ["Idempotency-Key": "flood-key-\(index)"])
                            precondition(status == .created)
                        }
                    }
                }
                try await group.waitForAll()
            }
            server.clock.advance(by: 1)
            #expect(try await server.inboundSMS(from: "+12025550181", body: "hi", sid: "SM" + String(format: "%032x", 1)).0 == .ok)
            let (status, body) = try await server.chat(.get, "/api/v1/queue", token: advocate)
            #expect(status == .ok)
            let page = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let threads = try #require(page["threads"] as? [[String: Any]])
            #expect(threads.count <= 52)
            let pinned = threads.filter { $0["pinned"] as? Bool == true }
            let waitingSMS = try #require(pinned.first { $0["channel"] as? String == "sms" })
            #expect(waitingSMS["thread"] as? String != answered)
            #expect(pinned.count == 2)
            #expect((page["waiting"] as? [String: Int]) == ["sms": 2, "webchat": flood, "webform": 0, "email": 0])
            // Paging through reaches every thread once.
            var seen = Set(threads.compactMap { $0["thread"] as? String })
            var next = page["next"] as? String
            while let cursor = next {
                let (_, more) = try await server.chat(.get, "/api/v1/queue?limit=200&after=\(cursor)", token: advocate)
                let nextPage = try #require(try JSONSerialization.jsonObject(with: Data(more.utf8)) as? [String: Any])
                for item in nextPage["threads"] as? [[String: Any]] ?? [] { seen.insert(item["thread"] as! String) }
                next = nextPage["next"] as? String
            }
            #expect(seen.count == flood + 2)
            #expect(try await server.chat(.get, "/api/v1/queue?after=not-a-cursor", token: advocate).0 == .badRequest)
            #expect(try await server.chat(.get, "/api/v1/queue?limit=0", token: advocate).0 == .badRequest)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func oneClientsFloodOfSessionStartsDoesNotLockOutAnother() async throws {
        // The product's burst of 10 a client, refilling slowly enough that a loaded machine running
        // the requests slowly cannot earn new tokens meanwhile.
        var limits = RateLimits()
        limits.perClientStarts.perSecond = 0.001
        try await RelayTestServer.run(rateLimits: limits) { server in
            let port = server.client.port!
            var statuses: [Int] = []
            for _ in 0..<40 { statuses.append(try await RawHTTP.status("POST", "/chat/sessions", port: port, from: "127.0.0.2")) }
            #expect(statuses.prefix(10).allSatisfy { $0 == 201 })
            #expect(statuses.suffix(20).allSatisfy { $0 == 429 })
            // Another client still gets in.
            #expect(try await RawHTTP.status("POST", "/chat/sessions", port: port, from: "127.0.0.3") == 201)
            #expect(try await RawHTTP.status("POST", "/chat/sessions", port: port, from: "127.0.0.4") == 201)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func behindAProxyOnlyItsHeaderCountsOnlyFromTheProxyAndIPv6CountsByPrefix() async throws {
        var limits = RateLimits()
        limits.perClientStarts.perSecond = 0.001  // no refill while a loaded machine runs the requests
        try await RelayTestServer.run(rateLimits: limits, configure: { $0.clientAddressHeader = "X-Forwarded-For" }, Self.proxyChecks)
    }

    @Sendable static func proxyChecks(_ server: RelayTestServer) async throws {
        let port = server.client.port!
        func start(_ peer: String, _ forwarded: String) async throws -> Int {
            try await RawHTTP.status("POST", "/chat/sessions", port: port, from: peer, headers: ["X-Forwarded-For": "198.51.100.1, \(forwarded)"])
        }
        // From the trusted proxy (127.0.0.1), the last forwarded address is the client.
        for _ in 0..<10 { #expect(try await start("127.0.0.1", "203.0.113.7") == 201) }
        #expect(try await start("127.0.0.1", "203.0.113.7") == 429)
        #expect(try await start("127.0.0.1", "203.0.113.8") == 201)
        // IPv6 clients count by their /64: another address in it is the same client.
        for index in 0..<10 { #expect(try await start("127.0.0.1", "2001:db8:1:2::\(index + 1)") == 201) }
        #expect(try await start("127.0.0.1", "2001:db8:1:2:ffff::9") == 429)
        #expect(try await start("127.0.0.1", "2001:db8:1:3::1") == 201)
        // A chain of proxies: the rightmost hop that is not one of ours is the client.
        for _ in 0..<10 { #expect(try await start("127.0.0.1", "203.0.113.50, 127.0.0.1") == 201) }
        #expect(try await start("127.0.0.1", "203.0.113.50, ::1") == 429)
        // From any other peer the header is ignored: it cannot be used to mint fresh buckets.
        for index in 0..<10 { #expect(try await start("127.0.0.5", "192.0.2.\(index)") == 201) }
        #expect(try await start("127.0.0.5", "192.0.2.200") == 429)
    }

    @Test func strangersBeyondTheCapShareOneBucketButKnownSendersNeverDo() async {
        let limiter = RateLimiter(hashKey: AdmissionKeys(key: Keyring.generateForTest().blindIndex(.rateLimit)), maximumUnauthenticated: 10, now: { 1_000 })
        let bucket = RateLimits.Bucket(perSecond: 0.001, burst: 1)
        for index in 0..<10 { #expect(await limiter.allow(scope: "client-start", identity: "198.51.100.\(index)", bucket: bucket, authenticated: false)) }
        // The table of strangers is full: the next ones share one overflow bucket.
        #expect(await limiter.allow(scope: "client-start", identity: "203.0.113.1", bucket: bucket, authenticated: false))
        #expect(await !limiter.allow(scope: "client-start", identity: "203.0.113.2", bucket: bucket, authenticated: false))
        // A signed SMS sender or a live session still has a bucket of its own.
        for index in 0..<20 { #expect(await limiter.allow(scope: "sms", identity: "+1202555\(1000 + index)", bucket: bucket)) }
    }

    @Test func admissionKeysGroupIPv6ByPrefixAndAddressesHaveOneSpelling() {
        #expect(RelayRequestContext.canonical("::ffff:127.0.0.1") == "127.0.0.1")
        #expect(RelayRequestContext.canonical("::1") == RelayRequestContext.canonical("0:0:0:0:0:0:0:1"))
        #expect(RelayRequestContext.stripPort("[2001:db8::1]:443") == "2001:db8::1")
        #expect(RelayRequestContext.stripPort("203.0.113.7:5000") == "203.0.113.7")
        #expect(RelayRequestContext.stripPort("2001:db8::1") == "2001:db8::1")
        #expect(RelayRequestContext.admissionKey("203.0.113.7") == "203.0.113.7")
        #expect(RelayRequestContext.admissionKey("2001:db8:1:2::1") == RelayRequestContext.admissionKey("2001:0db8:0001:0002:ffff:0:0:9"))
        #expect(RelayRequestContext.admissionKey("2001:db8:1:2::1") != RelayRequestContext.admissionKey("2001:db8:1:3::1"))
        #expect(RelayRequestContext.admissionKey("::ffff:203.0.113.7") == "203.0.113.7")
        #expect(RelayRequestContext.admissionKey("not an address") == "not an address")
    }

    @Test(.timeLimit(.minutes(2)))
    func webchatCountsInTheGlobalInboundLimitButLeavesSMSItsShareAndNeverBlocksAnErase() async throws {
        var limits = RelayTestServer.testLimits
        limits.global = .init(perSecond: 0.001, burst: 5)
        try await RelayTestServer.run(rateLimits: limits) { server in
            let token = try await server.startChat()
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<6 {
                statuses.append(try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"m\#(index)"}"#, headers: ["Idempotency-Key": "global-key-\(index)"]).0)
            }
            // Webchat may take 80 % of the bucket (4 of 5); the rest is kept for SMS.
            #expect(statuses == [.created, .created, .created, .created, .tooManyRequests, .tooManyRequests])
            #expect(try await server.inboundSMS(from: "+12025550191", body: "still heard", sid: "SM" + String(format: "%032x", 9)).0 == .ok)
            #expect(try await server.inboundSMS(from: "+12025550192", body: "now the bucket is empty", sid: "SM" + String(format: "%032x", 10)).0 == .tooManyRequests)
            #expect(try await server.chat(.delete, "/chat/session", token: token).0 == .noContent)
        }
    }

    /// Waits for `stream` to end; returns how long it took (or `nil` if it had not ended in 10 seconds).
    static func timeToEnd(_ stream: LiveStream) async throws -> Duration? {
        let start = ContinuousClock.now
        let frame = try await stream.next(containing: "\u{0}never\u{0}")
        return frame == "<stream ended>" ? ContinuousClock.now - start : nil
    }

    @Test(.timeLimit(.minutes(2)))
    func aQuickExitEndsItsOwnStreamsAtOnceAndNoReplyReachesThem() async throws {
        // Streams re-check their session only every minute here: a stream that ends within
        // seconds was ended by the exit itself (a loaded machine may take a second or two).
        try await RelayTestServer.run(configure: { $0.webchatStreamRecheck = .seconds(60) }) { server in
            let token = try await server.startChat()
            let (_, sent) = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"hi"}"#, headers: ["Idempotency-Key": "exit-key-0001"])
            let id = try JSONDecoder().decode([String: String].self, from: Data(sent.utf8))["id"]!
            let thread = try await server.store.read { try await $0.message(id: id)!.threadID }
            let (_, issued) = try await server.chat(.post, "/chat/resume-phrase", token: token)
            let phrase = try JSONDecoder().decode([String: String].self, from: Data(issued.utf8))["phrase"]!
            let (_, resumed) = try await server.chat(.post, "/chat/resume", token: nil, json: #"{"phrase":"\#(phrase)"}"#)
            let second = try JSONDecoder().decode([String: String].self, from: Data(resumed.utf8))["token"]!

            let leaving = try await LiveStream.open(port: server.client.port!, token: token)
            let staying = try await LiveStream.open(port: server.client.port!, token: second)
            #expect(try await server.chat(.post, "/chat/exit", token: token).0 == .noContent)
            let ended = try #require(try await Self.timeToEnd(leaving))
            #expect(ended < .seconds(10))
            // The other device's session is untouched and still gets the reply.
            _ = try await server.relay.outbox.queueReply(threadID: thread, text: "EXIT-CANARY reply")
            #expect(try await staying.next(containing: "event: message").contains("EXIT-CANARY reply"))
            await staying.close()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func anExpiredSessionAndADisabledAdvocateLoseTheirStreams() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            let survivor = try await LiveStream.open(port: server.client.port!, token: token)
            server.clock.advance(by: server.relay.settings.webchatSessionIdle + 60)
            #expect(try await Self.timeToEnd(survivor) != nil)

            server.clock.advance(by: 0)
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let staff = try await LiveStream.open(port: server.client.port!, token: advocate, path: "/api/v1/events")
            // Disabled from the command line (another process: nothing tells the server but the store).
            try await server.relay.staff.disableAccount(name: "ana")
            #expect(try await Self.timeToEnd(staff) != nil)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aLogoutEndsTheAdvocatesStreamsAtOnce() async throws {
        // As for a quick exit: with a re-check every minute, only the logout itself ends it in seconds.
        try await RelayTestServer.run(configure: { $0.staffStreamRecheck = .seconds(60) }) { server in
            let other = try await StaffAPITests.staff(server, "bo", .advocate)
            let second = try await LiveStream.open(port: server.client.port!, token: other, path: "/api/v1/events")
            #expect(try await server.chat(.delete, "/api/v1/sessions/current", token: other).0 == .noContent)
            let ended = try #require(try await Self.timeToEnd(second))
            #expect(ended < .seconds(10))
        }
    }
}
