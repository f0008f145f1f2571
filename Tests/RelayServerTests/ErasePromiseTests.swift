import Foundation
import GRDB
import HTTPTypes
@testable import RelayCore
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// Invariant 3 under pressure, over real HTTP: erase, quick exit and the erase keyword are never
/// refused for rate or audit reasons; what an acknowledged erase removed is in no database file,
/// even while a reader holds an old snapshot; a legal hold keeps the whole contact and the survivor
/// is told so in neutral words.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct ErasePromiseTests {
    static func send(_ server: RelayTestServer, _ token: String, _ text: String, key: String) async throws -> String {
        let (status, body) = try await server.chat(.post, "/chat/messages", token: token, json: #"{"text":"\#(text)"}"#, headers: ["Idempotency-Key": key])
        precondition(status == .created, "send failed: \(status)")
        return try JSONDecoder().decode([String: String].self, from: Data(body.utf8))["id"]!
    }

    static func sid(_ number: Int) -> String { "SM" + String(format: "%032x", number) }

    @Test(.timeLimit(.minutes(2)))
    func eraseDeleteAndQuickExitAreNeverRateLimited() async throws {
        var limits = RateLimits()
        limits.perSender = .init(perSecond: 0.001, burst: 4)
        try await RelayTestServer.run(rateLimits: limits) { server in
            let token = try await server.startChat()
            let first = try await Self.send(server, token, "one", key: "burst-key-0001")
            _ = try await Self.send(server, token, "two", key: "burst-key-0002")
            for _ in 0..<2 { _ = try await server.chat(.get, "/chat/messages", token: token) }
            // The session's bucket is empty: ordinary requests are refused…
            #expect(try await server.chat(.get, "/chat/messages", token: token).0 == .tooManyRequests)
            // …but deleting a message and erasing the conversation are not.
            #expect(try await server.chat(.delete, "/chat/messages/\(first)", token: token).0 == .noContent)
            #expect(try await server.chat(.delete, "/chat/session", token: token).0 == .noContent)
            // A retry whose answer was lost gets the same answer, not "unauthorized".
            #expect(try await server.chat(.delete, "/chat/session", token: token).0 == .noContent)

            let other = try await server.startChat()
            for _ in 0..<5 { _ = try await server.chat(.get, "/chat/messages", token: other) }
            #expect(try await server.chat(.get, "/chat/messages", token: other).0 == .tooManyRequests)
            #expect(try await server.chat(.post, "/chat/exit", token: other).0 == .noContent)
            #expect(try await server.chat(.get, "/chat/messages", token: other).0 == .unauthorized)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aForgottenTabCanStillEraseAfterTheSessionIdledOut() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            let id = try await Self.send(server, token, "left open", key: "idle-key-0001")
            let thread = try await server.store.read { try await $0.message(id: id)!.threadID }
            server.clock.advance(by: server.relay.settings.webchatSessionIdle + 60)
            // The page notices (its stream reconnects, a read fails) …
            #expect(try await server.chat(.get, "/chat/messages", token: token).0 == .unauthorized)
            // … and the survivor can still delete what they wrote.
            #expect(try await server.chat(.delete, "/chat/session", token: token).0 == .noContent)
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: thread) }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func theEraseKeywordIsHonouredAfterABurstAndWhenAllInboundIsLimited() async throws {
        var limits = RateLimits()
        limits.perSender = .init(perSecond: 0.001, burst: 3)
        limits.global = .init(perSecond: 0.001, burst: 5)
        try await RelayTestServer.run(rateLimits: limits) { server in
            let phone = "+12025550142"
            for index in 1...3 { #expect(try await server.inboundSMS(from: phone, body: "message \(index)", sid: Self.sid(index)).0 == .ok) }
            #expect(try await server.inboundSMS(from: phone, body: "one too many", sid: Self.sid(4)).0 == .tooManyRequests)
            // Another number uses up the global bucket.
            for index in 5...6 { _ = try await server.inboundSMS(from: "+12025550999", body: "flood", sid: Self.sid(index)) }
            #expect(try await server.inboundSMS(from: "+12025550888", body: "refused", sid: Self.sid(7)).0 == .tooManyRequests)

            let (status, twiml) = try await server.inboundSMS(from: phone, body: " erase ", sid: Self.sid(8))
            #expect(status == .ok)
            #expect(twiml.contains(server.relay.settings.eraseConfirmation))
            let contact = try await server.store.read { [relay = server.relay] in try await $0.contact(addressIndex: relay.sealing.addressIndex(try .phone(phone))) }
            #expect(contact == nil)
        }
    }

    @Test(.timeLimit(.minutes(2)), .enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files"))
    func anEraseGoesAheadWhenTheAuditLogCannotBeWrittenAndIsAuditedLater() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            let id = try await Self.send(server, token, "erase me even so", key: "audit-key-0001")
            let thread = try await server.store.read { try await $0.message(id: id)!.threadID }
            _ = try await server.inboundSMS(from: "+12025550155", body: "and me", sid: Self.sid(1))
            let otherIndex = server.relay.sealing.addressIndex(try .phone("+12025550155"))
            let other = try await server.store.read { try await $0.contact(addressIndex: otherIndex)!.id }
            let otherThread = try await server.store.read { try await $0.threads(contactID: other)[0].id }
            let before = try await server.store.read { try await $0.auditSize() }

            let blocker = try DatabaseQueue(path: server.sqlite!.path, configuration: .patient)
            try await blocker.write { db in
                try db.execute(sql: "CREATE TRIGGER block_audit BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'audit blocked'); END")
            }
            #expect(try await server.chat(.delete, "/chat/session", token: token).0 == .noContent)
            let (status, twiml) = try await server.inboundSMS(from: "+12025550155", body: "BORRAR", sid: Self.sid(2))
            #expect(status == .ok && twiml.contains(server.relay.settings.eraseConfirmation))
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: thread) }
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: otherThread) }
            #expect(try await server.store.read { try await $0.auditSize() } == before)
            #expect(try await server.relay.auditLog.pendingCount() == 2)

            // Once the log can be written again, the events join it, marked with when they happened.
            try await blocker.write { db in try db.execute(sql: "DROP TRIGGER block_audit") }
            try blocker.close()
            // The server's scheduler appends them within a tick; the test may be first.
            _ = try await server.relay.auditLog.flushPending()
            #expect(try await server.relay.auditLog.pendingCount() == 0)
            let events = try await server.store.read { try await $0.auditEvents(from: before, limit: 10) }.compactMap(\.line)
            #expect(events.count == 2)
            #expect(events.allSatisfy { $0.contains(#""action":"thread.erase""#) && $0.contains("x_happened_at") })
            #expect(Set(events.compactMap { line in [thread, otherThread].first { line.contains($0) } }) == [thread, otherThread])
            #expect(try await server.relay.auditLog.verify().isValid)
        }
    }

    @Test(.timeLimit(.minutes(2)), .enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files"))
    func whatAnEraseRemovedIsInNoDatabaseFileEvenWhileALongReadRuns() async throws {
        try await RelayTestServer.run { server in
            let token = try await server.startChat()
            let kept = try await Self.send(server, token, "ERASE-CANARY kept until the erase", key: "wal-key-0001")
            let deleted = try await Self.send(server, token, "DELETE-CANARY one message", key: "wal-key-0002")
            let threadID = try await server.store.read { try await $0.message(id: kept)!.threadID }
            let (wrappedKey, keptBody, deletedBody, contactKey, sealedAddress) = try await server.store.read { reader in
                let thread = try await reader.thread(id: threadID)!
                let contact = try await reader.contact(id: thread.contactID!)!
                return (
                    [UInt8](thread.key!.sealed), [UInt8](try await reader.message(id: kept)!.sealedBody), [UInt8](try await reader.message(id: deleted)!.sealedBody),
                    [UInt8](contact.key!.sealed), [UInt8](contact.sealedAddress))
            }
            try await server.store.checkpointAndTruncate()
            let files = FileScan.databaseFiles(server.sqlite!.path)
            // Positive control: before anything is deleted, the scanner finds the stored ciphertext.
            #expect(try !FileScan.hits(in: files, needles: [wrappedKey, keptBody]).isEmpty)

            // One message deleted while a reader holds an old snapshot.
            let firstReader = try await SnapshotHolder(path: server.sqlite!.path)
            #expect(try await server.chat(.delete, "/chat/messages/\(deleted)", token: token).0 == .noContent)
            #expect(await server.relay.walTruncation.isPending)
            try await firstReader.release()
            #expect(await server.relay.walTruncation.waitUntilClean(timeout: .seconds(15)))
            #expect(try FileScan.hits(in: FileScan.databaseFiles(server.sqlite!.path), needles: [deletedBody]).isEmpty)

            // The whole conversation erased while another reader holds its snapshot.
            let secondReader = try await SnapshotHolder(path: server.sqlite!.path)
            #expect(try await server.chat(.delete, "/chat/session", token: token).0 == .noContent)
            #expect(await server.relay.walTruncation.isPending)
            try await secondReader.release()
            #expect(await server.relay.walTruncation.waitUntilClean(timeout: .seconds(15)))
            let needles = [wrappedKey, keptBody, contactKey, sealedAddress]
            #expect(try FileScan.hits(in: FileScan.databaseFiles(server.sqlite!.path), needles: needles).isEmpty)
            // And no key in the system opens what is left.
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: threadID) }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aHoldKeepsTheWholeContactAndTheSurvivorIsToldSoNeutrally() async throws {
        try await RelayTestServer.run { server in
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            let phone = "+12025550163"
            #expect(try await server.inboundSMS(from: phone, body: "evidence", sid: Self.sid(1)).0 == .ok)
            let (thread, contactID) = try await server.store.read { [relay = server.relay] reader in
                let contact = try await reader.contact(addressIndex: relay.sealing.addressIndex(try .phone(phone)))!
                return (try await reader.threads(contactID: contact.id)[0].id, contact.id)
            }
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/case/notes", token: advocate, json: #"{"text":"HOLD-NOTE kept"}"#).0 == .ok)
            try await server.relay.retention.addHold(threadID: thread, reason: "Court order 7", actor: "cli:maria")

            let (status, twiml) = try await server.inboundSMS(from: phone, body: "ERASE", sid: Self.sid(2))
            #expect(status == .ok)
            #expect(!twiml.contains(server.relay.settings.eraseConfirmation))
            #expect(twiml.contains(server.relay.settings.eraseDeferredNotice))
            // Contact, held thread and case record stay together.
            #expect(try await server.store.read { try await $0.contact(id: contactID) } != nil)
            let (_, view) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: advocate, headers: ["X-Access-Purpose": "other: legal hold review"])
            #expect(view.contains("evidence") && view.contains("HOLD-NOTE kept"))
            // But the survivor asked to be forgotten: no reply reaches them, and what they send later
            // starts afresh instead of being drawn into the hold.
            #expect(view.contains(#""do_not_contact":true"#) && view.contains(#""state":"closed""#))
            let (refused, why) = try await server.chat(.post, "/api/v1/threads/\(thread)/replies", token: advocate, json: #"{"text":"are you ok?"}"#)
            #expect(refused == .conflict && why.contains("erase_requested"), "\(refused) \(why)")
            // Nobody can quietly clear do-not-contact for someone who asked to be erased.
            let clear = #"{"phone_may_be_monitored":false,"do_not_contact":false}"#
            #expect(try await server.chat(.put, "/api/v1/threads/\(thread)/case/safety", token: advocate, json: clear, headers: ["X-Access-Purpose": "x"]).0 == .badRequest)
            // Asking again gets the same truthful answer, not "Done".
            let (_, again) = try await server.inboundSMS(from: phone, body: "ERASE", sid: Self.sid(4))
            #expect(again.contains(server.relay.settings.eraseDeferredNotice))
            #expect(try await server.inboundSMS(from: phone, body: "new start", sid: Self.sid(5)).0 == .ok)
            let phoneIndex = server.relay.sealing.addressIndex(try .phone(phone))
            let found = try await server.store.read { try await $0.contact(addressIndex: phoneIndex) }
            let fresh = try #require(found)
            #expect(fresh.id != contactID && !fresh.safety.doNotContact)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await server.twilio.received.isEmpty)

            // The webchat answers the same way: 202 and a plain explanation, and the session ends.
            let token = try await server.startChat()
            let id = try await Self.send(server, token, "held words", key: "hold-key-0001")
            let chatThread = try await server.store.read { try await $0.message(id: id)!.threadID }
            try await server.relay.retention.addHold(threadID: chatThread, reason: "Court order 8", actor: "cli:maria")
            let (erased, answer) = try await server.chat(.delete, "/chat/session", token: token)
            #expect(erased == .accepted && answer.contains(#""status":"deferred""#))
            #expect(try await server.chat(.get, "/chat/messages", token: token).0 == .unauthorized)
            #expect(try await server.relay.sealing.decryptedMessages(threadID: chatThread).map(\.body) == ["held words"])
        }
    }
}
