import Foundation
import HTTPTypes
import PostgresNIO
@testable import RelayCore
import RelayCrypto
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// Invariants 1 and 5 through the real HTTP interface: canary text and phone numbers planted over
/// SMS and webchat, and the replies to them, are nowhere in the database files or the server's logs.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(6)))
struct HTTPCanaryTests {
    @Test(.enabled(if: TestStoreBackend.isSQLite, "reads SQLite's files")) func canariesPlantedOverHTTPAreFoundNowhereOnDiskOrInLogs() async throws {
        try await RelayTestServer.run { server in
            let replies = try await Self.plant(server)
            try await server.store.checkpointAndTruncate()
            // Positive control: the scanner does see what is stored in clear (a message id).
            #expect(try !FileScan.hits(in: FileScan.databaseFiles(server.sqlite!.path), needles: [Array(replies[0].utf8)]).isEmpty)
            #expect(try FileScan.hits(in: FileScan.databaseFiles(server.sqlite!.path), needles: Self.needles).isEmpty)
            Self.expectCleanLogs(server)
        }
    }

    /// The same on PostgreSQL: every file of the test cluster (tables, indexes, the WAL, the
    /// server's log), after a checkpoint wrote everything out.
    @Test
    func canariesPlantedOverHTTPAreFoundNowhereInPostgreSQLsFilesItsWALOrItsLog() async throws {
        let clusterDirectory = try PrivateCluster.testClusterDirectory()
        let database = try await TestDatabase.create()
        let shared = RelayTestServer.SharedInstance(
            databaseURL: database.url, keyring: .generate(now: "2026-11-30T20:00:00Z"), twilio: StandInTwilio())
        do {
            try await RelayTestServer.run(instance: shared) { server in
                let replies = try await Self.plant(server)
                try await server.store.checkpointAndTruncate()
                try await TestDatabase.admin(database.clusterURL) { connection, logger in try await connection.query("CHECKPOINT", logger: logger) }
                let files = FileScan.files(under: clusterDirectory)
                #expect(files.contains { $0.contains("/pg_wal/") })
                // Other tests' databases come and go meanwhile: a file gone since the listing is skipped.
                #expect(try !FileScan.hits(in: files, needles: [Array(replies[0].utf8)], skippingVanished: true).isEmpty)
                #expect(try FileScan.hits(in: files, needles: Self.needles, skippingVanished: true).isEmpty)
                Self.expectCleanLogs(server)
            }
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    /// Plants canaries over HTTP (SMS, case notes, webchat, replies); returns the replies' ids.
    static func plant(_ server: RelayTestServer) async throws -> [String] {
        let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
        var replies: [String] = []
        for index in 0..<40 {
            let phone = "+1303555\(String(format: "%04d", 1000 + index))"
            let (status, _) = try await server.inboundSMS(
                from: phone, body: "SMSCANARY-\(index) my boss took my passport", sid: "SM" + String(format: "%032x", 0xc0ffee00 + index))
            #expect(status == .ok)
            if index < 10 {
                // What advocates write about a person is as private as what the person wrote.
                let addressIndex = server.relay.sealing.addressIndex(try .phone(phone))
                let smsThread = try await server.store.read { reader in try await reader.threads(contactID: reader.contact(addressIndex: addressIndex)!.id)[0].id }
                #expect(try await server.chat(.post, "/api/v1/threads/\(smsThread)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
                let note = #"{"text":"NOTECANARY-\#(index) sleeps at the motel on 5th"}"#
                #expect(try await server.chat(.post, "/api/v1/threads/\(smsThread)/case/notes", token: advocate, json: note).0 == .ok)
                let referral = #"{"to":"REFCANARY-\#(index) shelter","outcome":"unknown"}"#
                #expect(try await server.chat(.post, "/api/v1/threads/\(smsThread)/case/referrals", token: advocate, json: referral).0 == .ok)
                let safety = #"{"safe_times":"SAFECANARY weekdays","phone_may_be_monitored":true,"do_not_contact":false}"#
                #expect(try await server.chat(.put, "/api/v1/threads/\(smsThread)/case/safety", token: advocate, json: safety).0 == .ok)
            }
            let token = try await server.startChat()
            let (sent, body) = try await server.chat(
                .post, "/chat/messages", token: token, json: #"{"text":"CHATCANARY-\#(index) address 12 Elm St"}"#,
                headers: ["Idempotency-Key": "canary-key-\(index)"])
            #expect(sent == .created)
            let id = try JSONDecoder().decode([String: String].self, from: Data(body.utf8))["id"]!
            let thread = try await server.store.read { try await $0.message(id: id)!.threadID }
            let reply = try await server.relay.outbox.queueReply(threadID: thread, text: "REPLYCANARY-\(index)")
            replies.append(reply.messageID)
        }
        // The tip form (with a number to text back) and email, each with canaries in every field.
        for index in 0..<5 {
            let report = #"{"what":"TIPCANARY-\#(index) the van at the motel","city":"CITYCANARY","region":"IL","when":"WHENCANARY","situation":"unsure","way_back":"text","phone":"+1303555\#(2000 + index)","language":"en"}"#
            #expect(try await server.chat(.post, "/report", token: nil, json: report, headers: ["Idempotency-Key": "canary-report-\(index)"]).0 == .created)
            var email = RelayTestServer.Email()
            email.sender = "mailcanary\(index)@example.org"
            email.subject = "SUBJECTCANARY-\(index)"
            email.text = "MAILCANARY-\(index) they keep my papers"
            email.headers = [("X-Originating-IP", "[198.51.100.23]")]
            email.extra = [("body-html", "<p>HTMLCANARY</p>")]
            #expect(try await server.inboundEmail(email).0 == .ok)
        }
        return replies
    }

    /// What must be found nowhere.
    static var needles: [[UInt8]] {
        ["SMSCANARY", "CHATCANARY", "REPLYCANARY", "NOTECANARY", "REFCANARY", "SAFECANARY", "motel on 5th", "passport", "12 Elm St", "+1303555", "1303555", "303555", "canary-key",
            "TIPCANARY", "CITYCANARY", "WHENCANARY", "canary-report", "MAILCANARY", "mailcanary", "SUBJECTCANARY", "198.51.100", "HTMLCANARY",
            RelayTestServer.mailgunAPIKey, RelayTestServer.mailgunSigningKey,
            RelayTestServer.authToken, Data("\(RelayTestServer.accountSID):\(RelayTestServer.authToken)".utf8).base64EncodedString()]
            .map { Array($0.utf8) }
    }

    /// The logs hold no canary and no client address.
    static func expectCleanLogs(_ server: RelayTestServer) {
        let needles = Self.needles
        let logs = Array(server.logs.text.utf8)
        #expect(!server.logs.all.isEmpty)
        for needle in needles {
            #expect(!logs.contains(subsequence: needle), "log contains \(String(decoding: needle, as: UTF8.self))")
        }
        // No network identifier either: no client address appears in any log line.
        for line in server.logs.all where !line.contains("listening") {
            #expect(!line.contains("127.0.0.1"), "log line carries an address: \(line)")
        }
    }
}
