import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import NIOCore
@testable import RelayCore
import RelayCrypto
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// The advocates' API over real HTTP: enrolment, login with TOTP, roles, the audited view.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct StaffAPITests {
    static let password = "violet-harbor-lamp-42"

    /// Creates, enrols and logs in an account; returns its bearer token.
    static func staff(_ server: RelayTestServer, _ name: String, _ role: Role) async throws -> String {
        let secret = try await server.relay.staff.createAccount(name: name, role: role)
        let (status, body) = try await server.chat(
            .post, "/api/v1/enrolment", token: nil, json: #"{"name":"\#(name)","secret":"\#(secret)","password":"\#(password)"}"#)
        precondition(status == .created, "enrolment failed: \(body)")
        let totpSecret = try JSONDecoder().decode([String: String].self, from: Data(body.utf8))["totp_secret"]!
        return try await login(server, name, totpSecret: totpSecret)
    }

    static func code(_ totpSecret: String, at date: Date) -> String {
        let totp = TOTP(secret: TOTP.decodeBase32(totpSecret)!)
        return totp.code(step: totp.step(at: UInt64(date.timeIntervalSince1970)))
    }

    static func login(_ server: RelayTestServer, _ name: String, totpSecret: String, password: String = password) async throws -> String {
        let (status, body) = try await server.chat(
            .post, "/api/v1/sessions", token: nil,
            json: #"{"name":"\#(name)","password":"\#(password)","code":"\#(code(totpSecret, at: server.clock.now()))"}"#)
        precondition(status == .created, "login failed: \(status) \(body)")
        return try JSONDecoder().decode([String: String].self, from: Data(body.utf8))["token"]!
    }

    static func smsThread(_ server: RelayTestServer, _ phone: String, _ text: String, sid: Int) async throws -> String {
        try await server.relay.intake.ingest(InboundMessage(address: .phone(phone), body: text, deliveryID: "SM" + String(format: "%032x", sid))).threadID
    }

    @Test func theAuthorisationMatrixHolds() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await Self.staff(server, "ana", .advocate)
            let other_ = try await Self.staff(server, "ben", .advocate)
            let supervisor = try await Self.staff(server, "sam", .supervisor)
            let compliance = try await Self.staff(server, "cora", .compliance)
            let admin = try await Self.staff(server, "adam", .admin)
            let mine = try await Self.smsThread(server, "+12025550100", "CANARY-MATRIX mine", sid: 1)
            let theirs = try await Self.smsThread(server, "+12025550111", "CANARY-MATRIX theirs", sid: 2)
            #expect(try await server.chat(.post, "/api/v1/threads/\(mine)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.post, "/api/v1/threads/\(theirs)/claim", token: other_, headers: RelayTestServer.claimPurpose).0 == .noContent)
            // Claiming another advocate's thread is forbidden; a supervisor may take it.
            #expect(try await server.chat(.post, "/api/v1/threads/\(theirs)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .forbidden)

            struct Case {
                let method: HTTPRequest.Method
                let path: String
                let json: String?
            }
            // Every staff route × every role (plus no token and a garbage token). Routes that change
            // state come last in each row so that earlier answers are not affected.
            let routes: [(String, Case)] = [
                ("queue", Case(method: .get, path: "/api/v1/queue", json: nil)),
                ("view", Case(method: .get, path: "/api/v1/threads/\(mine)", json: nil)),
                ("typology", Case(method: .get, path: "/api/v1/typology", json: nil)),
                ("stats", Case(method: .get, path: "/api/v1/stats", json: nil)),
                ("audit", Case(method: .get, path: "/api/v1/audit", json: nil)),
                ("note", Case(method: .post, path: "/api/v1/threads/\(mine)/case/notes", json: #"{"text":"n"}"#)),
                ("tags", Case(method: .put, path: "/api/v1/threads/\(mine)/case/tags", json: #"{"tags":[]}"#)),
                ("safety", Case(method: .put, path: "/api/v1/threads/\(mine)/case/safety", json: #"{"phone_may_be_monitored":false,"do_not_contact":false}"#)),
                ("reply", Case(method: .post, path: "/api/v1/threads/\(mine)/replies", json: #"{"text":"hello"}"#)),
                ("transfer", Case(method: .post, path: "/api/v1/threads/\(mine)/transfer", json: #"{"to":"ana"}"#)),
                ("claim", Case(method: .post, path: "/api/v1/threads/\(mine)/claim", json: nil)),
            ]
            let work: [String: HTTPResponse.Status] = [
                "queue": .ok, "view": .ok, "typology": .ok, "stats": .forbidden, "audit": .forbidden, "note": .ok, "tags": .ok,
                "safety": .ok, "reply": .created, "transfer": .noContent, "claim": .noContent,
            ]
            var other = work.mapValues { _ in HTTPResponse.Status.forbidden }
            other["queue"] = .ok
            other["typology"] = .ok
            var supervisorRow = work
            supervisorRow["view"] = .forbidden  // not assigned and no purpose
            // Taking, moving or editing someone's thread needs a purpose too (none is sent here).
            for route in ["claim", "transfer", "note", "tags", "safety"] { supervisorRow[route] = .forbidden }
            supervisorRow["stats"] = .ok
            var oversight = work.mapValues { _ in HTTPResponse.Status.forbidden }
            oversight["typology"] = .ok
            oversight["audit"] = .ok
            let unauthenticated = work.mapValues { _ in HTTPResponse.Status.unauthorized }
            let expected: [String: [String: HTTPResponse.Status]] = [
                "advocate": work, "other": other, "supervisor": supervisorRow, "compliance": oversight, "admin": oversight,
                "none": unauthenticated, "garbage": unauthenticated,
            ]
            let tokens: [(String, String?)] = [
                ("none", nil), ("garbage", String(repeating: "A", count: 43)), ("other", other_), ("compliance", compliance), ("admin", admin),
                ("supervisor", supervisor), ("advocate", advocate),
            ]
            for (who, token) in tokens {
                for (name, route) in routes {
                    let (status, body) = try await server.chat(route.method, route.path, token: token, json: route.json)
                    #expect(status == expected[who]![name]!, "\(who) \(name): \(status) \(body)")
                    if who != "advocate" && who != "supervisor" {
                        #expect(!body.contains("CANARY-MATRIX"), "\(who) \(name) leaked content")
                    }
                }
            }
            // Another advocate's thread opens only with a purpose, which is audited.
            let (withPurpose, body) = try await server.chat(.get, "/api/v1/threads/\(mine)", token: other_, headers: ["X-Access-Purpose": "covering: Ana's shift"])
            #expect(withPurpose == .ok && body.contains("CANARY-MATRIX mine"))
            // An unknown thread is 404 for everyone allowed to look.
            #expect(try await server.chat(.get, "/api/v1/threads/\(String(repeating: "f", count: 32))", token: advocate, headers: ["X-Access-Purpose": "x"]).0 == .notFound)

            // Expired and disabled sessions.
            try await server.relay.staff.disableAccount(name: "ben")
            #expect(try await server.chat(.get, "/api/v1/queue", token: other_).0 == .unauthorized)
            server.clock.advance(by: 31 * 60)
            #expect(try await server.chat(.get, "/api/v1/queue", token: advocate).0 == .unauthorized)
        }
    }

    @Test(.enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files")) func aThreadIsNotShownWhenItsViewCannotBeAudited() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await Self.staff(server, "ana", .advocate)
            let thread = try await Self.smsThread(server, "+12025550100", "CANARY-FAILCLOSED", sid: 1)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            // Another connection makes the audit table refuse writes, as a full disk or a broken file would.
            let queue = try DatabaseQueue(path: server.sqlite!.path, configuration: .patient)
            try await queue.write { db in
                try db.execute(sql: "CREATE TRIGGER block_audit BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'audit blocked'); END")
            }
            try queue.close()
            let (status, body) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: advocate)
            #expect(status == .serviceUnavailable)
            #expect(body.contains(#""error":"audit_unavailable""#))
            #expect(!body.contains("CANARY-FAILCLOSED"))
        }
    }

    @Test func repeatedFailuresLockTheAccountAndUnknownNamesLookTheSame() async throws {
        try await RelayTestServer.run { server in
            let secret = try await server.relay.staff.createAccount(name: "ana", role: .advocate)
            let (_, enrolled) = try await server.chat(.post, "/api/v1/enrolment", token: nil, json: #"{"name":"ana","secret":"\#(secret)","password":"\#(Self.password)"}"#)
            let totp = try JSONDecoder().decode([String: String].self, from: Data(enrolled.utf8))["totp_secret"]!
            // The secret works once.
            #expect(try await server.chat(.post, "/api/v1/enrolment", token: nil, json: #"{"name":"ana","secret":"\#(secret)","password":"\#(Self.password)"}"#).0 == .unauthorized)
            let wrong = #"{"name":"ana","password":"not-the-password-1","code":"000000"}"#
            let unknown = #"{"name":"nobody","password":"not-the-password-1","code":"000000"}"#
            let a = try await server.chat(.post, "/api/v1/sessions", token: nil, json: wrong)
            let b = try await server.chat(.post, "/api/v1/sessions", token: nil, json: unknown)
            #expect(a.0 == .unauthorized && a == b, "\(a) vs \(b)")
            for _ in 0..<4 { _ = try await server.chat(.post, "/api/v1/sessions", token: nil, json: wrong) }
            // Locked now: even the right password and code are refused, with the same answer.
            let right = #"{"name":"ana","password":"\#(Self.password)","code":"\#(Self.code(totp, at: server.clock.now()))"}"#
            #expect(try await server.chat(.post, "/api/v1/sessions", token: nil, json: right) == a)
            server.clock.advance(by: 90)
            let later = #"{"name":"ana","password":"\#(Self.password)","code":"\#(Self.code(totp, at: server.clock.now()))"}"#
            let ok = try await server.chat(.post, "/api/v1/sessions", token: nil, json: later)
            #expect(ok.0 == .created)
            // The same code does not work twice.
            #expect(try await server.chat(.post, "/api/v1/sessions", token: nil, json: later).0 == .unauthorized)
        }
    }

    @Test func sessionsExpireWhenIdleAndAfterTwelveHoursAndOnLogout() async throws {
        try await RelayTestServer.run { server in
            let token = try await Self.staff(server, "ana", .advocate)
            for _ in 0..<24 {
                server.clock.advance(by: 29 * 60)
                #expect(try await server.chat(.get, "/api/v1/queue", token: token).0 == .ok)
            }
            // 12 h 5 min after login, still used every 29 minutes: the absolute limit ends it.
            server.clock.advance(by: 29 * 60)
            #expect(try await server.chat(.get, "/api/v1/queue", token: token).0 == .unauthorized)
            let second = try await Self.staff(server, "bea", .advocate)
            #expect(try await server.chat(.delete, "/api/v1/sessions/current", token: second).0 == .noContent)
            #expect(try await server.chat(.get, "/api/v1/queue", token: second).0 == .unauthorized)
        }
    }

    @Test func weakPasswordsAreRefusedAtEnrolment() async throws {
        try await RelayTestServer.run { server in
            let secret = try await server.relay.staff.createAccount(name: "ana", role: .advocate)
            for weak in ["short", "password1234", "aaaaaaaaaaaaaaa", "ana-ana-ana-ana"] {
                let (status, body) = try await server.chat(.post, "/api/v1/enrolment", token: nil, json: #"{"name":"ana","secret":"\#(secret)","password":"\#(weak)"}"#)
                #expect(status == .badRequest && body.contains("weak_password"), "\(weak)")
            }
        }
    }

    @Test func theFullStory() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await Self.staff(server, "ana", .advocate)
            let compliance = try await Self.staff(server, "cora", .compliance)
            let supervisor = try await Self.staff(server, "sam", .supervisor)
            // A survivor writes by SMS (urgent words raise the priority).
            _ = try await server.inboundSMS(from: "+12025550100", body: "please help, I am scared", sid: "SM" + String(format: "%032x", 1))
            let (_, queueBody) = try await server.chat(.get, "/api/v1/queue", token: advocate)
            #expect(!queueBody.contains("scared") && !queueBody.contains("2025550100"))
            let queue = try #require(try JSONSerialization.jsonObject(with: Data(queueBody.utf8)) as? [String: Any])
            let item = try #require((queue["threads"] as? [[String: Any]])?.first)
            let thread = item["thread"] as! String
            #expect(item["priority"] as? Int == 1)
            server.clock.advance(by: 45)
            let (_, waits) = try await server.chat(.get, "/api/v1/stats", token: supervisor)
            #expect(waits.contains(#""waiting_now":1"#) && !waits.contains(thread))
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (viewStatus, view) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: advocate)
            #expect(viewStatus == .ok && view.contains("please help, I am scared") && !view.contains("2025550100"))
            let (replyStatus, reply) = try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"We are here. Are you safe to text?"}"#)
            #expect(replyStatus == .created && reply.contains(#""status":"queued""#))
            // Deterministic: wait for the outbox to record the outcome, then count what the provider got.
            let replyID = try #require(try JSONDecoder().decode([String: String].self, from: Data(reply.utf8))["id"])
            #expect(try await server.eventually("sent") { try await server.relay.outbox.state(messageID: replyID) == .sent })
            #expect(await server.twilio.received.count == 1)
            let (_, sentView) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: advocate)
            #expect(sentView.contains(#""delivery":"sent""#))
            server.clock.advance(by: 20 * 60)
            let (refused, refusal) = try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"still there?"}"#)
            #expect(refused == .conflict && refusal.contains(#""error":"window_closed""#))
            // The compliance officer sees the trail of all of it, without content.
            let (auditStatus, audit) = try await server.chat(.get, "/api/v1/audit?thread=\(thread)", token: compliance)
            #expect(auditStatus == .ok)
            for action in ["thread.claim", "thread.view", "reply.send", "refused_window_closed"] {
                #expect(audit.contains(action), "\(action) missing from the audit trail")
            }
            #expect(!audit.contains("scared") && !audit.contains("Are you safe"))
        }
    }

    @Test(.enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files")) func theCaseRecordIsKeptSealedAuditedAndShownWithTheThread() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await Self.staff(server, "ana", .advocate)
            let compliance = try await Self.staff(server, "cora", .compliance)
            let thread = try await Self.smsThread(server, "+12025550100", "hello", sid: 1)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/case/notes", token: advocate, json: #"{"text":"CANARY-NOTE works nights at the farm"}"#).0 == .ok)
            let (_, referral) = try await server.chat(.post, "/api/v1/threads/\(thread)/case/referrals", token: advocate, json: #"{"to":"Legal aid clinic","outcome":"unknown"}"#)
            let record = try JSONSerialization.jsonObject(with: Data(referral.utf8)) as! [String: Any]
            let referralID = ((record["referrals"] as! [[String: Any]])[0]["id"] as! String)
            #expect(try await server.chat(.put, "/api/v1/threads/\(thread)/case/referrals/\(referralID)", token: advocate, json: #"{"outcome":"worked"}"#).0 == .ok)
            #expect(try await server.chat(.put, "/api/v1/threads/\(thread)/case/tags", token: advocate, json: #"{"tags":["agriculture-animal-husbandry"]}"#).0 == .ok)
            #expect(try await server.chat(.put, "/api/v1/threads/\(thread)/case/tags", token: advocate, json: #"{"tags":["not-a-type"]}"#).0 == .badRequest)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/case/referrals", token: advocate, json: #"{"to":"x","outcome":"maybe"}"#).0 == .badRequest)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/case/notes", token: compliance, json: #"{"text":"x"}"#).0 == .forbidden)
            // Do-not-contact in the safety record blocks replies.
            let safety = #"{"safe_to_text":false,"safe_times":"never","phone_may_be_monitored":true,"do_not_contact":true}"#
            #expect(try await server.chat(.put, "/api/v1/threads/\(thread)/case/safety", token: advocate, json: safety).0 == .ok)
            let (refused, why) = try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"hi"}"#)
            #expect(refused == .conflict && why.contains("do_not_contact"))
            // The thread view carries the record.
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: advocate)
            #expect(view.contains("CANARY-NOTE") && view.contains(#""outcome":"worked""#) && view.contains("agriculture-animal-husbandry") && view.contains(#""phone_may_be_monitored":true"#))
            // Sealed at rest; every change audited.
            try await server.store.checkpointAndTruncate()
            #expect(try FileScan.hits(in: FileScan.databaseFiles(server.sqlite!.path), needles: [Array("CANARY-NOTE".utf8), Array("Legal aid".utf8)]).isEmpty)
            let (_, audit) = try await server.chat(.get, "/api/v1/audit?thread=\(thread)", token: compliance)
            for action in ["case.note", "case.referral", "case.referral_outcome", "case.tags", "case.safety"] { #expect(audit.contains(action)) }
            #expect(!audit.contains("CANARY-NOTE"))
        }
    }

    @Test func supervisorsSeeWaitsAndResponseTimesWithoutContent() async throws {
        try await RelayTestServer.run { server in
            let supervisor = try await Self.staff(server, "sam", .supervisor)
            let advocate = try await Self.staff(server, "ana", .advocate)
            let answered = try await Self.smsThread(server, "+12025550100", "CANARY-STATS first", sid: 1)
            server.clock.advance(by: 60)
            _ = try await Self.smsThread(server, "+12025550111", "CANARY-STATS second", sid: 2)
            #expect(try await server.chat(.post, "/api/v1/threads/\(answered)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            server.clock.advance(by: 60)
            #expect(try await server.chat(.post, "/api/v1/threads/\(answered)/replies", token: advocate, json: #"{"text":"hello"}"#).0 == .created)
            let (status, body) = try await server.chat(.get, "/api/v1/stats", token: supervisor)
            #expect(status == .ok)
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let stats = try decoder.decode(QueueStatistics.self, from: Data(body.utf8))
            #expect(stats.channels["sms"]?.waitingNow == 1)
            #expect((59.9...60.1).contains(stats.channels["sms"]?.longestWaitSeconds ?? 0))
            #expect(stats.channels["sms"]?.firstResponseP50Seconds == 120)
            #expect(!body.contains("CANARY-STATS") && !body.contains("Heron") && !body.contains(answered))
            #expect(try await server.chat(.get, "/api/v1/stats", token: advocate).0 == .forbidden)
        }
    }

    @Test func earlierThreadsShownInAViewAreAuditedToo() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await Self.staff(server, "ana", .advocate)
            let compliance = try await Self.staff(server, "cora", .compliance)
            let first = try await Self.smsThread(server, "+12025550100", "CANARY-EARLIER first visit", sid: 1)
            #expect(try await server.chat(.post, "/api/v1/threads/\(first)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.post, "/api/v1/threads/\(first)/close", token: advocate).0 == .noContent)
            let second = try await Self.smsThread(server, "+12025550100", "second visit", sid: 2)
            #expect(second != first)
            #expect(try await server.chat(.post, "/api/v1/threads/\(second)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(second)", token: advocate)
            #expect(view.contains("CANARY-EARLIER first visit"))
            let (_, trail) = try await server.chat(.get, "/api/v1/audit?thread=\(first)", token: compliance)
            #expect(trail.contains("thread.view") && trail.contains("x_via"))
        }
    }
}
