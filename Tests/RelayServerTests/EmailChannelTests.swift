import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RelayChannels
@testable import RelayCore
import RelayCrypto
import RelayModel
import RelayServer
import RelayStore
import RelayTestSupport
import Testing

/// Email over real HTTP with a stand-in Mailgun: the webhook's signature, timestamp and one-time
/// token are checked before anything is read; only the sender (hashed to thread, sealed to reply),
/// the subject and the stripped text are kept, sealed; a provider's retry is stored once;
/// attachments are dropped unread; replies go through the durable outbox from the thread's own
/// reply address, never twice.
@Suite(.timeLimit(.minutes(5)))
struct EmailChannelTests {
    static func emailThread(_ server: RelayTestServer, _ sender: String) async throws -> ThreadRecord? {
        let index = server.relay.sealing.addressIndex(try .email(sender))
        return try await server.store.read { reader in
            guard let contact = try await reader.contact(addressIndex: index) else { return nil }
            return try await reader.openThread(contactID: contact.id, channel: .email)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func anEmailKeepsOnlyItsSubjectTextAndSenderSealedAndIsStoredOnce() async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings()) { server in
            var email = RelayTestServer.Email()
            email.sender = "Canary.Person@Example.org"
            email.subject = "SUBJECTCANARY about my job"
            email.text = "MAILCANARY they keep my papers"
            email.headers = [("X-Originating-IP", "[203.0.113.77]"), ("Received", "from mx.example.org (203.0.113.78)")]
            email.extra = [("X-Mailgun-Spam-Score", "SPAMCANARY 9.9"), ("body-html", "<p>HTMLCANARY</p>"), ("Cc", "cccanary@example.net")]
            let (status, _) = try await server.inboundEmail(email)
            #expect(status == .ok)
            // The provider retries the same message (new token, same Message-Id): stored once.
            var retry = email
            retry.token = RandomToken.identifier() + RandomToken.identifier()
            #expect(try await server.inboundEmail(retry).0 == .ok)
            let thread = try #require(try await Self.emailThread(server, "canary.person@example.org"))
            let bodies = try await server.relay.sealing.decryptedMessages(threadID: thread.id).map(\.body)
            #expect(bodies.filter { $0.contains("MAILCANARY") }.count == 1)
            #expect(bodies[0] == "Subject: SUBJECTCANARY about my job\n\nMAILCANARY they keep my papers")
            #expect(thread.channel == .email && thread.language == .en)
            // The first automatic answer went out by email, from the thread's own address.
            #expect(try await server.eventually("first answer") { await server.mailgun.received.count == 1 })
            let sent = try #require(await server.mailgun.received.first)
            #expect(sent.fields["to"] == "canary.person@example.org" && sent.fields["subject"] == "Your message")
            #expect(sent.fields["from"]?.contains("reply+\(thread.id).") == true && sent.fields["o:tracking"] == "no")
            #expect(sent.authorization == "Basic " + Data("api:\(RelayTestServer.mailgunAPIKey)".utf8).base64EncodedString())

            try await server.store.checkpointAndTruncate()
            let needles = ["MAILCANARY", "SUBJECTCANARY", "canary.person", "Canary.Person", "203.0.113", "SPAMCANARY", "HTMLCANARY", "cccanary", email.messageID, email.token]
                .map { Array($0.utf8) }
            if let sqlite = server.sqlite {
                #expect(try FileScan.hits(in: FileScan.databaseFiles(sqlite.path), needles: needles).isEmpty)
            }
            let logs = Array(server.logs.text.utf8)
            for needle in needles { #expect(!logs.contains(subsequence: needle), "log holds \(String(decoding: needle, as: UTF8.self))") }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func forgedStaleReplayedMalformedAndOversizeWebhooksStoreNothing() async throws {
        try await RelayTestServer.run { server in
            var forged = RelayTestServer.Email()
            forged.signature = String(repeating: "0", count: 64)
            #expect(try await server.inboundEmail(forged).0 == .forbidden)
            var stale = RelayTestServer.Email()
            stale.timestamp = server.clock.now().addingTimeInterval(-600)
            #expect(try await server.inboundEmail(stale).0 == .forbidden)
            var future = RelayTestServer.Email()
            future.timestamp = server.clock.now().addingTimeInterval(600)
            #expect(try await server.inboundEmail(future).0 == .forbidden)
            // A captured request's signature reused for another message: the token is one-time.
            let first = RelayTestServer.Email()
            #expect(try await server.inboundEmail(first).0 == .ok)
            var replay = first
            replay.messageID = "<another@mail.example.org>"
            replay.text = "FORGEDCANARY injected"
            #expect(try await server.inboundEmail(replay).0 == .forbidden)
            var noSender = RelayTestServer.Email()
            noSender.sender = "not an address"
            #expect(try await server.inboundEmail(noSender).0 == .notAcceptable)  // final: Mailgun does not retry

            var headers = HTTPFields()
            headers[.contentType] = "multipart/form-data; boundary=xyz"
            let broken = try await server.client.execute(uri: "/email/inbound", method: .post, headers: headers, body: ByteBuffer(string: "--xyz\r\nno headers end")) { $0.status }
            #expect(broken == .forbidden)
            headers[.contentType] = "application/json"
            #expect(try await server.client.execute(uri: "/email/inbound", method: .post, headers: headers, body: ByteBuffer(string: "{}")) { $0.status } == .unsupportedMediaType)
            var huge = RelayTestServer.Email()
            huge.attachments = [("big.bin", String(repeating: "A", count: 4 * 1024 * 1024 + 10))]
            #expect(try await server.inboundEmail(huge).0 == .contentTooLarge)

            let threads = try await server.store.read { try await $0.queuePage(after: nil, limit: 50) }
            #expect(threads.count == 1)
            let bodies = try await server.relay.sealing.decryptedMessages(threadID: threads[0].id).map(\.body)
            #expect(!bodies.joined().contains("FORGEDCANARY"))
        }
        // Without a provider configured, the route says so.
        try await RelayTestServer.run(configure: { $0.mailgun = nil }) { (server) async throws in
            #expect(try await server.inboundEmail(RelayTestServer.Email()).0 == .serviceUnavailable)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func attachmentsAreDroppedUnreadAndTheAdvocateIsTold() async throws {
        try await RelayTestServer.run { server in
            var email = RelayTestServer.Email()
            email.sender = "sender@example.org"
            email.text = "see the photo"
            email.attachments = [("passport.jpg", "ATTACHCANARY-bytes-of-a-photo"), ("notes.txt", "ATTACHCANARY-text-file")]
            let (status, answer) = try await server.inboundEmail(email)
            #expect(status == .ok && answer.contains(#""attachments_dropped":2"#))
            let thread = try #require(try await Self.emailThread(server, "sender@example.org"))
            let body = try #require(try await server.relay.sealing.decryptedMessages(threadID: thread.id).first?.body)
            #expect(body.contains("see the photo") && body.contains("2 attachment(s) removed unread") && !body.contains("ATTACHCANARY"))
            try await server.store.checkpointAndTruncate()
            if let sqlite = server.sqlite {
                #expect(try FileScan.hits(in: FileScan.databaseFiles(sqlite.path), needles: [Array("ATTACHCANARY".utf8), Array("passport.jpg".utf8)]).isEmpty)
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func repliesGoOnceFromTheThreadsAddressAndAnAnswerThreads() async throws {
        try await RelayTestServer.run { server in
            var email = RelayTestServer.Email()
            email.sender = "asker@example.org"
            #expect(try await server.inboundEmail(email).0 == .ok)
            let thread = try #require(try await Self.emailThread(server, "asker@example.org"))
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread.id)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            // The provider is down for a moment (503: not taken), then takes it: sent once.
            await server.mailgun.enqueue(.status(503))
            #expect(try await server.chat(.post, "/api/v1/threads/\(thread.id)/replies", token: advocate, json: #"{"text":"We are here for you."}"#).0 == .created)
            #expect(try await server.eventually("the first attempt") { await server.mailgun.received.count == 1 })
            // Past the retry's backoff, however late under load the outbox noted the 503.
            #expect(try await server.eventually("the reply", timeout: 30) {
                server.clock.advance(by: 2)
                return await server.mailgun.received.count == 2
            })
            try await Task.sleep(for: .milliseconds(500))
            let sends = await server.mailgun.received
            #expect(sends.count == 2 && sends.allSatisfy { $0.fields["text"] == "We are here for you." })
            let from = try #require(sends.last?.fields["h:Reply-To"])
            // The person answers to that address: the same thread.
            var answer = RelayTestServer.Email()
            answer.sender = "asker@example.org"
            answer.recipient = from
            answer.text = "thank you, can we talk tomorrow?"
            #expect(try await server.inboundEmail(answer).0 == .ok)
            #expect(try await Self.emailThread(server, "asker@example.org")?.id == thread.id)
            #expect(from == "reply+\(EmailReplyTokens(keyring: server.relay.keyring).token(threadID: thread.id))@\(RelayTestServer.mailDomain)")

            // A 500 may come after Mailgun queued it: unknown, shown, never re-sent.
            await server.mailgun.enqueue(.status(500))
            let (_, created) = try await server.chat(.post, "/api/v1/threads/\(thread.id)/replies", token: advocate, json: #"{"text":"second reply"}"#)
            let id = try #require(try JSONDecoder().decode([String: String].self, from: Data(created.utf8))["id"])
            #expect(try await server.eventually("unknown") { try await server.relay.outbox.state(messageID: id) == .unknown })
            try await Task.sleep(for: .milliseconds(600))
            #expect(await server.mailgun.received.filter { $0.fields["text"] == "second reply" }.count == 1)
        }
    }

    @Test func anEmailReplyInFlightAtACrashBecomesUnknownAndIsNeverResent() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("data/saferelay.sqlite")
        let keyring = Keyring.generateForTest()
        let first = try SQLiteStore(path: path)
        let before = Relay(store: first, keyring: keyring, logger: CapturedLogs().logger())
        let receipt = try await before.intake.ingestEmail(InboundEmail(
            address: try .email("crash@example.org"), subject: "hi", text: "hello", messageID: "<crash@example.org>", attachmentsDropped: 0))
        let inFlight = try await before.outbox.queueReply(threadID: receipt.threadID, text: "in flight")
        #expect(try await before.outbox.claimDue().map(\.channel) == [.email])
        try first.close()

        let second = try SQLiteStore(path: path)
        defer { try? second.close() }
        let after = Relay(store: second, keyring: keyring, logger: CapturedLogs().logger())
        let mailgun = StandInMailgun()
        try await mailgun.run { (port: Int) async throws in
            let client = MailgunClient(
                configuration: MailgunConfiguration(domain: "mail.hotline.example", apiKey: "k", signingKey: "s", apiBase: "http://127.0.0.1:\(port)"),
                httpClient: HTTPClient.shared)
            let dispatcher = OutboxDispatcher(relay: after, client: nil, email: client, logger: CapturedLogs().logger())
            #expect(try await after.outbox.recoverInFlight() == 1)
            for _ in 0..<3 { await dispatcher.drainOnce() }
            #expect(try await after.outbox.state(messageID: inFlight.messageID) == .unknown)
            #expect(await mailgun.received.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aForgedSenderNeverReachesTheRealSendersConversationNorGetsAnAnswer() async throws {
        try await RelayTestServer.run(settings: try TriageTests.settings()) { server in
            var real = RelayTestServer.Email()
            real.sender = "survivor@example.org"
            #expect(try await server.inboundEmail(real).0 == .ok)
            #expect(try await server.eventually("first answer") { await server.mailgun.received.count == 1 })
            let thread = try #require(try await Self.emailThread(server, "survivor@example.org"))
            // Anyone can write the survivor's address as the sender; SPF and DKIM fail.
            var forged = RelayTestServer.Email()
            forged.sender = "survivor@example.org"
            forged.verified = false
            forged.text = "FORGED please write back to this address"
            #expect(try await server.inboundEmail(forged).0 == .ok)
            let after = try #require(try await Self.emailThread(server, "survivor@example.org"))
            #expect(after.lastInboundAt == thread.lastInboundAt)
            #expect(try await !server.relay.sealing.decryptedMessages(threadID: thread.id).map(\.body).joined().contains("FORGED"))
            // Kept apart, for advocates to see, with no window a reply could go through and no answer sent.
            let threads = try await server.store.read { try await $0.queuePage(after: nil, limit: 50) }.filter { $0.channel == .email }
            let apart = try #require(threads.first { $0.id != thread.id })
            #expect(try await server.relay.sealing.decryptedMessages(threadID: apart.id).first?.body.contains("could not be verified") == true)
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            #expect(try await server.chat(.post, "/api/v1/threads/\(apart.id)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (refused, why) = try await server.chat(.post, "/api/v1/threads/\(apart.id)/replies", token: advocate, json: #"{"text":"hello?"}"#)
            #expect(refused == .conflict && why.contains("window_closed"))
            // The forger writes Mailgun's verdict into their own headers: a repeated verdict counts as none.
            var selfCertified = RelayTestServer.Email()
            selfCertified.sender = "survivor@example.org"
            selfCertified.verified = false
            selfCertified.headers = [("X-Mailgun-Spf", "Pass")]
            selfCertified.text = "FORGED again"
            #expect(try await server.inboundEmail(selfCertified).0 == .ok)
            #expect(try await !server.relay.sealing.decryptedMessages(threadID: thread.id).map(\.body).joined().contains("FORGED"))
            // A captured signature (its one-time token) replayed with an ERASE in the survivor's name acts on nothing.
            var captured = RelayTestServer.Email()
            captured.sender = "someone-else@example.org"
            #expect(try await server.inboundEmail(captured).0 == .ok)
            var replayedErase = captured
            replayedErase.sender = "survivor@example.org"
            replayedErase.text = "ERASE"
            _ = try await server.inboundEmail(replayedErase)
            #expect(try await Self.emailThread(server, "survivor@example.org")?.id == thread.id)
            // A forged ERASE erases nothing; a machine's mail (an out-of-office) gets no answer.
            var forgedErase = RelayTestServer.Email()
            forgedErase.sender = "survivor@example.org"
            forgedErase.verified = false
            forgedErase.text = "ERASE"
            #expect(try await server.inboundEmail(forgedErase).0 == .ok)
            #expect(try await Self.emailThread(server, "survivor@example.org")?.id == thread.id)
            var robot = RelayTestServer.Email()
            robot.sender = "robot@example.org"
            robot.headers = [("Auto-Submitted", "auto-replied")]
            #expect(try await server.inboundEmail(robot).0 == .ok)
            try await Task.sleep(for: .milliseconds(600))
            // One first answer to the survivor, one to the other verified sender; nothing to the forgeries or the robot.
            #expect(await server.mailgun.received.filter { $0.fields["to"] == "survivor@example.org" }.count == 1)
            #expect(await server.mailgun.received.count == 2)
        }
    }

    /// Invariant 3 for email: a sender whose bucket is empty (a flood in their name, forged or not)
    /// still erases.
    @Test(.timeLimit(.minutes(2)))
    func anEmailEraseIsNeverRefusedForRateReasons() async throws {
        var limits = RelayTestServer.testLimits
        limits.perSender = .init(perSecond: 0.001, burst: 1)
        try await RelayTestServer.run(rateLimits: limits) { server in
            var first = RelayTestServer.Email()
            first.sender = "flooded@example.org"
            #expect(try await server.inboundEmail(first).0 == .ok)
            let thread = try #require(try await Self.emailThread(server, "flooded@example.org"))
            var second = RelayTestServer.Email()
            second.sender = "flooded@example.org"
            #expect(try await server.inboundEmail(second).0 == .tooManyRequests)
            var erase = RelayTestServer.Email()
            erase.sender = "flooded@example.org"
            erase.text = "ERASE"
            #expect(try await server.inboundEmail(erase).0 == .ok)
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: thread.id) }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aVerifiedSenderCanEraseOrStopByEmail() async throws {
        try await RelayTestServer.run { server in
            var first = RelayTestServer.Email()
            first.sender = "leaving@example.org"
            #expect(try await server.inboundEmail(first).0 == .ok)
            let thread = try #require(try await Self.emailThread(server, "leaving@example.org"))
            // A subject "Stop" over a letter is a letter: stored, nobody opted out.
            var letter = RelayTestServer.Email()
            letter.sender = "leaving@example.org"
            letter.subject = "Stop"
            letter.text = "they will not stop calling me"
            #expect(try await server.inboundEmail(letter).0 == .ok)
            #expect(try await server.relay.sealing.decryptedMessages(threadID: thread.id).count == 2)
            // Mail sent in their name without verification is kept apart; their ERASE takes it too.
            var unverified = RelayTestServer.Email()
            unverified.sender = "leaving@example.org"
            unverified.verified = false
            #expect(try await server.inboundEmail(unverified).0 == .ok)
            var twin = try ContactAddress.email("leaving@example.org")
            twin.unverified = true
            let twinIndex = server.relay.sealing.addressIndex(twin)
            #expect(try await server.store.read { try await $0.contact(addressIndex: twinIndex) } != nil)
            var erase = RelayTestServer.Email()
            erase.sender = "leaving@example.org"
            erase.subject = "erase"
            erase.text = ""
            #expect(try await server.inboundEmail(erase).0 == .ok)
            await #expect(throws: RelayError.threadErased) { try await server.relay.sealing.decryptedMessages(threadID: thread.id) }
            #expect(try await server.store.read { try await $0.contact(addressIndex: twinIndex) } == nil)
            // STOP: no reply goes out any more.
            var hello = RelayTestServer.Email()
            hello.sender = "quiet@example.org"
            #expect(try await server.inboundEmail(hello).0 == .ok)
            let quiet = try #require(try await Self.emailThread(server, "quiet@example.org"))
            var stop = RelayTestServer.Email()
            stop.sender = "quiet@example.org"
            stop.text = "STOP"
            #expect(try await server.inboundEmail(stop).0 == .ok)
            let advocate = try await StaffAPITests.staff(server, "ana", .advocate)
            #expect(try await server.chat(.post, "/api/v1/threads/\(quiet.id)/claim", token: advocate, headers: RelayTestServer.claimPurpose).0 == .noContent)
            let (refused, why) = try await server.chat(.post, "/api/v1/threads/\(quiet.id)/replies", token: advocate, json: #"{"text":"hello?"}"#)
            #expect(refused == .conflict && why.contains("opted_out"))
        }
    }
}
