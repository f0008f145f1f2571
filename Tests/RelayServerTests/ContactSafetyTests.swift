import Foundation
import GRDB
import HTTPTypes
@testable import RelayCore
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// Invariants 3 and 8 over real HTTP: safety flags belong to the person, not the thread; a phone that
/// may be monitored gets a text only with an audited override; a zero-retention purge forgets the
/// person entirely, so the same number writing again is a stranger.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct ContactSafetyTests {
    static func sid(_ number: Int) -> String { "SM" + String(format: "%032x", number) }

    static func contact(_ server: RelayTestServer, phone: String) async throws -> ContactRecord? {
        try await server.store.read { [relay = server.relay] in try await $0.contact(addressIndex: relay.sealing.addressIndex(try .phone(phone))) }
    }

    static func openThread(_ server: RelayTestServer, phone: String) async throws -> String {
        let contact = try #require(try await contact(server, phone: phone))
        return try #require(try await server.store.read { try await $0.openThread(contactID: contact.id, channel: .sms)?.id })
    }

    @Test(.timeLimit(.minutes(2)))
    func doNotContactFollowsThePersonToTheirNextThread() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let phone = "+12025550171"
            #expect(try await server.inboundSMS(from: phone, body: "please do not text me back", sid: Self.sid(1)).0 == .ok)
            let first = try await Self.openThread(server, phone: phone)
            #expect(try await server.chat(.post, "/api/v1/threads/\(first)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let safety = #"{"phone_may_be_monitored":false,"do_not_contact":true}"#
            #expect(try await server.chat(.put, "/api/v1/threads/\(first)/case/safety", token: advocate, json: safety).0 == .ok)
            #expect(try await server.chat(.post, "/api/v1/threads/\(first)/close", token: advocate).0 == .noContent)

            // They write again: a new thread, and the flag is already on it.
            #expect(try await server.inboundSMS(from: phone, body: "it is me again", sid: Self.sid(2)).0 == .ok)
            let second = try await Self.openThread(server, phone: phone)
            #expect(second != first)
            #expect(try await server.chat(.post, "/api/v1/threads/\(second)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(second)", token: advocate)
            #expect(view.contains(#""do_not_contact":true"#))
            let (status, why) = try await server.chat(.post, "/api/v1/threads/\(second)/replies", token: advocate, json: #"{"text":"hello?"}"#)
            #expect(status == .conflict && why.contains("do_not_contact"))
            // Not even an override sends it.
            let (overridden, _) = try await server.chat(
                .post, "/api/v1/threads/\(second)/replies", token: advocate, json: #"{"text":"hello?","override_reason":"I insist"}"#)
            #expect(overridden == .conflict)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await server.twilio.received.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aMonitoredOrNotSafePhoneGetsATextOnlyWithAnAuditedOverride() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let compliance = try await StaffAPITests.staff(server, "cora", .compliance)
            for (index, (phone, safety)) in [
                ("+12025550172", #"{"phone_may_be_monitored":true,"do_not_contact":false}"#),
                ("+12025550173", #"{"safe_to_text":false,"phone_may_be_monitored":false,"do_not_contact":false}"#),
            ].enumerated() {
                #expect(try await server.inboundSMS(from: phone, body: "hello", sid: Self.sid(10 + index)).0 == .ok)
                let thread = try await Self.openThread(server, phone: phone)
                #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
                #expect(try await server.chat(.put, "/api/v1/threads/\(thread)/case/safety", token: advocate, json: safety).0 == .ok)
                let (refused, why) = try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"Are you safe?"}"#)
                #expect(refused == .conflict && why.contains("safety_override_required"))
                let (blank, _) = try await server.chat(
                    .post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"Are you safe?","override_reason":"  "}"#)
                #expect(blank == .badRequest)
                let (sent, _) = try await server.chat(
                    .post, "/api/v1/threads/\(thread)/replies", token: advocate,
                    json: #"{"text":"Are you safe?","override_reason":"survivor asked for a text at 9am"}"#)
                #expect(sent == .created)
                let (_, audit) = try await server.chat(.get, "/api/v1/audit?thread=\(thread)", token: compliance)
                #expect(audit.contains("x_override") && audit.contains("survivor asked for a text at 9am"))
            }
            #expect(try await server.eventually("both overridden texts sent") { await server.twilio.received.count == 2 })
        }
    }

    @Test(.timeLimit(.minutes(3)), .enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files"))
    func aZeroRetentionPurgeForgetsThePersonBeforeTheyWriteAgain() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let phone = "+12025550174"
            #expect(try await server.inboundSMS(from: phone, body: "I need a place to stay", sid: Self.sid(1)).0 == .ok)
            let thread = try await Self.openThread(server, phone: phone)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/case/notes", token: advocate, json: #"{"text":"staying at motel room 12"}"#).0 == .ok)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/case/referrals", token: advocate, json: #"{"to":"Shelter line","outcome":"unknown"}"#).0 == .ok)
            let (_, before) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: advocate)
            let oldPseudonym = try #require(try JSONSerialization.jsonObject(with: Data(before.utf8)) as? [String: Any])["pseudonym"] as? String
            let old = try #require(try await Self.contact(server, phone: phone))
            let (threadKey, sealedBodies) = try await server.store.read { reader in
                ([UInt8](try await reader.thread(id: thread)!.key!.sealed), try await reader.messages(threadID: thread).map { [UInt8]($0.sealedBody) })
            }
            // A webchat survivor with a resume phrase and a session.
            let token = try await server.startChat()
            #expect(try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"hi"}"#, headers: ["Idempotency-Key": "zero-key-0001"]).0 == .created)
            #expect(try await server.chat(.post, "/chat/resume-phrase", token: token).0 == .created)

            server.clock.advance(by: 3 * 3600)
            let policy = try RetentionPolicy.load(path: RepositoryFile.path("Policies/zero-retention.yaml"))
            let receipt = try await server.relay.retention.apply(policy: policy, asOf: server.clock.now(), actor: "test")
            #expect(receipt.counts.threadsToPurge == 2 && receipt.contactsDeleted == 2)
            #expect(await server.relay.walTruncation.waitUntilClean(timeout: .seconds(10)))

            // Nothing personal is left: no contact, case record, resume phrase or session of any kind.
            let database = try DatabaseQueue(path: server.sqlite!.path, configuration: .patient)
            let counts = try await database.read { db in
                try ["contact", "case_record", "resume_phrase", "webchat_session", "api_session"].map { table in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1
                }
            }
            try database.close()
            #expect(counts == [0, 0, 0, 0, 0])
            // The wrapped keys themselves (thread and contact), the sealed number and the sealed bodies:
            // in no file, whatever a schema constraint would or would not have forced.
            let needles = [[UInt8](old.key!.sealed), [UInt8](old.sealedAddress), threadKey] + sealedBodies
            #expect(try FileScan.hits(in: FileScan.databaseFiles(server.sqlite!.path), needles: needles).isEmpty)
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: thread) }

            // The same number writes again: a stranger, with nothing of before.
            #expect(try await server.inboundSMS(from: phone, body: "hello again", sid: Self.sid(2)).0 == .ok)
            let next = try await Self.openThread(server, phone: phone)
            let again = try await StaffAPITests.staff(server, "bo", .advocate)
            #expect(try await server.chat(.post, "/api/v1/threads/\(next)/claim", token: again, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(next)", token: again)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(view.utf8)) as? [String: Any])
            #expect(answer["pseudonym"] as? String != oldPseudonym)
            #expect((answer["earlier"] as? [Any])?.isEmpty == true)
            #expect(!view.contains("motel") && !view.contains("Shelter line") && !view.contains("a place to stay"))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aPolicyMayKeepDoNotContactAsAKeyedHashOnly() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let phone = "+12025550175"
            #expect(try await server.inboundSMS(from: phone, body: "never text me", sid: Self.sid(1)).0 == .ok)
            let thread = try await Self.openThread(server, phone: phone)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.put, "/api/v1/threads/\(thread)/case/safety", token: advocate, json: #"{"phone_may_be_monitored":false,"do_not_contact":true}"#).0 == .ok)
            server.clock.advance(by: 3 * 3600)
            let text = try String(contentsOfFile: RepositoryFile.path("Policies/zero-retention.yaml"), encoding: .utf8)
                + "\ncontacts:\n  do_not_contact_after_purge: keep_keyed_hash\n"
            let policy = try RetentionPolicy.parse(text, file: "zero-keep.yaml")
            #expect(policy.keepDoNotContact)
            #expect(try await server.relay.retention.apply(policy: policy, asOf: server.clock.now(), actor: "test").contactsDeleted == 1)
            #expect(try await server.inboundSMS(from: phone, body: "back", sid: Self.sid(2)).0 == .ok)
            let renewed = try #require(try await Self.contact(server, phone: phone))
            #expect(renewed.safety.doNotContact && renewed.id != thread)

            // The advocate sees the kept flag in the case record, so an unrelated safety edit keeps it…
            let next = try await Self.openThread(server, phone: phone)
            let second = try await StaffAPITests.staff(server, "bo", .advocate)  // the first one's session expired
            #expect(try await server.chat(.post, "/api/v1/threads/\(next)/claim", token: second, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(next)", token: second)
            let record = try #require((try JSONSerialization.jsonObject(with: Data(view.utf8)) as? [String: Any])?["case_record"] as? [String: Any])
            #expect((record["safety"] as? [String: Any])?["do_not_contact"] as? Bool == true)
            let kept = #"{"safe_times":"after 6pm","phone_may_be_monitored":false,"do_not_contact":true}"#
            #expect(try await server.chat(.put, "/api/v1/threads/\(next)/case/safety", token: second, json: kept).0 == .ok)
            #expect(try await server.chat(.post, "/api/v1/threads/\(next)/replies", token: second, json: #"{"text":"hi"}"#).0 == .conflict)
            // …and clearing it on purpose clears the kept hash too: it does not come back after the next purge.
            let cleared = #"{"safe_times":"after 6pm","phone_may_be_monitored":false,"do_not_contact":false}"#
            #expect(try await server.chat(.put, "/api/v1/threads/\(next)/case/safety", token: second, json: cleared).0 == .ok)
            #expect(try await server.chat(.post, "/api/v1/threads/\(next)/replies", token: second, json: #"{"text":"hi"}"#).0 == .created)
            server.clock.advance(by: 3 * 3600)
            _ = try await server.relay.retention.apply(policy: policy, asOf: server.clock.now(), actor: "test")
            #expect(try await server.inboundSMS(from: phone, body: "third time", sid: Self.sid(3)).0 == .ok)
            #expect(try #require(try await Self.contact(server, phone: phone)).safety.doNotContact == false)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aFlagSetOnTheContactIsNotClearedByAnUnrelatedSafetyEdit() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let phone = "+12025550176"
            #expect(try await server.inboundSMS(from: phone, body: "hello", sid: Self.sid(1)).0 == .ok)
            let thread = try await Self.openThread(server, phone: phone)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            try await server.relay.caseRecords.setDoNotContact(threadID: thread, true)
            // An edit made from the view (which shows the flag) keeps it.
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: advocate)
            #expect(view.contains(#""do_not_contact":true"#))
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/case/notes", token: advocate, json: #"{"text":"called back"}"#).0 == .ok)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"hi"}"#).0 == .conflict)
        }
    }
}
