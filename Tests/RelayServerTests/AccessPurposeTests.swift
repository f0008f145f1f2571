import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RelayCore
import RelayModel
import RelayServer
import RelayStore
import Testing

/// Reads outside one's assignment need a purpose from the hotline's list, are audited with it and
/// show live to supervisors; the audit API pages and answers JSON objects.
@Suite(.timeLimit(.minutes(5)))
struct AccessPurposeTests {
    @Test func claimingAndOpeningAThreadNotYoursNeedAPurposeFromTheList() async throws {
        try await RelayTestServer.run { server in
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let ben = try await StaffAPITests.staff(server, "ben", .advocate)
            let compliance = try await StaffAPITests.staff(server, "cora", .compliance)
            let thread = try await StaffAPITests.smsThread(server, "+12025550140", "CANARY-PURPOSE", sid: 1)
            // Claiming from the queue is an access too: without a purpose, or with one not on the list, refused.
            for header in [[:], ["X-Access-Purpose": "curious"], ["X-Access-Purpose": "other"], ["X-Access-Purpose": ""]] {
                let (status, body) = try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: ana, headers: header)
                #expect(status == .forbidden && body.contains("purpose_required"), "\(header)")
            }
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: ana, headers: ["X-Access-Purpose": "first_response"]).0 == .noContent)
            // Her own thread needs none.
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: ana).0 == .ok)
            // Someone else's: free text alone is not a purpose; a code, or `other` with a note, is.
            for refused in ["curious", "other", "covering\nsecond line", String(repeating: "x", count: 400)] {
                let (status, body) = try await server.chat(.get, "/api/v1/threads/\(thread)", token: ben, headers: ["X-Access-Purpose": refused])
                #expect(status == .forbidden && !body.contains("CANARY-PURPOSE"), "\(refused.prefix(20))")
            }
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: ben, headers: ["X-Access-Purpose": "other: court order 17"]).0 == .ok)
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: ben, headers: ["X-Access-Purpose": "COVERING"]).0 == .ok)
            let (_, audit) = try await server.chat(.get, "/api/v1/audit?thread=\(thread)", token: compliance)
            #expect(audit.contains(#""purpose":"first_response""#) && audit.contains(#""purpose":"other: court order 17""#) && audit.contains(#""purpose":"covering""#))
            // The list the console offers.
            let (_, list) = try await server.chat(.get, "/api/v1/purposes", token: ben)
            #expect(list.contains(#""code":"covering""#) && list.contains(#""needs_note":true"#))
        }
    }

    @Test func supervisorsSeeEveryAccessOutsideAnAssignmentLiveAndAdvocatesDoNot() async throws {
        try await RelayTestServer.run { server in
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let ben = try await StaffAPITests.staff(server, "ben", .advocate)
            let sam = try await StaffAPITests.staff(server, "sam", .supervisor)
            let port = server.client.port!
            let supervisorStream = try await LiveStream.open(port: port, token: sam, path: "/api/v1/events")
            let advocateStream = try await LiveStream.open(port: port, token: ana, path: "/api/v1/events")
            let thread = try await StaffAPITests.smsThread(server, "+12025550141", "CANARY-LIVE-ACCESS", sid: 2)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: ana, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let claim = try await supervisorStream.next(containing: "event: thread.access")
            #expect(claim.contains(#""action":"claim""#) && claim.contains(#""actor":"ana""#) && claim.contains(#""purpose":"first_response""#))
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: ben, headers: ["X-Access-Purpose": "covering: Ana is out"]).0 == .ok)
            let view = try await supervisorStream.next(containing: "event: thread.access")
            #expect(view.contains(#""action":"view""#) && view.contains(#""actor":"ben""#) && view.contains(#""purpose":"covering""#))
            // The note and the content stay out of the stream.
            #expect(!view.contains("Ana is out") && !view.contains("CANARY-LIVE-ACCESS"))
            // Ana's stream got the queue change of her claim, but no access frame before a later event.
            let other = try await StaffAPITests.smsThread(server, "+12025550142", "another", sid: 3)
            #expect(try await server.chat(.post, "/api/v1/threads/\(other)/claim", token: ana, headers: RelayTestServer.claimPurpose).0 == .noContent)
            var seen: [String] = []
            while true {
                let frame = try await advocateStream.next(containing: "event:")
                seen.append(frame)
                if frame.contains("queue.changed") && frame.contains(other) || frame.hasPrefix("<") { break }
            }
            #expect(!seen.contains { $0.contains("thread.access") }, "\(seen)")
            #expect(seen.last?.contains(other) == true)
            await supervisorStream.close()
            await advocateStream.close()
        }
    }

    @Test func theAuditAPIPagesAndAnswersEventObjects() async throws {
        try await RelayTestServer.run { server in
            let compliance = try await StaffAPITests.staff(server, "cora", .compliance)
            for index in 0..<25 {
                _ = try await server.relay.auditLog.record(AuditEvent(actor: "pager", role: "admin", action: "test.event", details: ["n": "\(index)"]))
            }
            var seen: [Int64] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "/api/v1/audit?actor=pager&limit=10" + (cursor.map { "&after=\($0)" } ?? "")
                let (status, body) = try await server.chat(.get, query, token: compliance)
                #expect(status == .ok)
                let page = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                let events = try #require(page["events"] as? [[String: Any]], "events are objects")
                #expect(events.count <= 10)
                seen += events.compactMap { ($0["seq"] as? NSNumber)?.int64Value }
                #expect(events.allSatisfy { $0["actor"] as? String == "pager" })
                cursor = page["next"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen.count == 25 && seen == seen.sorted() && Set(seen).count == 25)
            #expect(pages == 3)
            #expect(try await server.chat(.get, "/api/v1/audit?limit=0", token: compliance).0 == .badRequest)
            #expect(try await server.chat(.get, "/api/v1/audit?after=x", token: compliance).0 == .badRequest)
        }
    }

    @Test func aSupervisorNeedsAPurposeToMoveOrEditAThreadNotTheirs() async throws {
        try await RelayTestServer.run { server in
            let ana = try await StaffAPITests.staff(server, "ana", .advocate)
            let sam = try await StaffAPITests.staff(server, "sam", .supervisor)
            let thread = try await StaffAPITests.smsThread(server, "+12025550143", "CANARY-MOVE", sid: 4)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread)/claim", token: ana, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let stream = try await LiveStream.open(port: server.client.port!, token: sam, path: "/api/v1/events")
            // Taking it to oneself, or editing its case record (whose answer is the whole record), without a purpose: refused.
            let (moved, _) = try await server.chat(.post, "/api/v1/threads/\(thread)/transfer", token: sam, json: #"{"to":"sam"}"#)
            #expect(moved == .forbidden)
            let (noted, noteBody) = try await server.chat(.post, "/api/v1/threads/\(thread)/case/notes", token: sam, json: #"{"text":"."}"#)
            #expect(noted == .forbidden && noteBody.contains("purpose_required"))
            #expect(try await server.chat(
                .post, "/api/v1/threads/\(thread)/case/notes", token: sam, json: #"{"text":"."}"#, headers: ["X-Access-Purpose": "supervision"]).0 == .ok)
            #expect(try await stream.next(containing: "event: thread.access").contains(#""action":"case""#))
            #expect(try await server.chat(
                .post, "/api/v1/threads/\(thread)/transfer", token: sam, json: #"{"to":"sam"}"#, headers: ["X-Access-Purpose": "covering"]).0 == .noContent)
            #expect(try await stream.next(containing: #""action":"transfer""#).contains(#""purpose":"covering""#))
            // Now it is his: no purpose needed.
            #expect(try await server.chat(.get, "/api/v1/threads/\(thread)", token: sam).0 == .ok)
            // /metrics says nothing to a stranger, whatever the method.
            #expect(try await server.chat(.post, "/metrics", token: nil).0 == .notFound)
            await stream.close()
        }
    }
}
