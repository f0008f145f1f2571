import AsyncHTTPClient
import Foundation
import NIOCore
import RelayChannels
@testable import RelayCore
import RelayCrypto
import RelayModel
import RelayStore
import RelayTestSupport
import Testing

/// Invariant 7: a reply is never sent twice; one whose fate is unknown is marked so, not re-sent.
/// Every test here waits on a server, a stream or a subprocess: a hang fails it instead of CI.
@Suite(.timeLimit(.minutes(5)))
struct OutboxCrashTests {
    static let phone = "+12025550100"

    @Test func aReplyInFlightAtACrashBecomesUnknownAndIsNeverResent() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("data/saferelay.sqlite")
        let keyring = Keyring.generateForTest()
        let logs = CapturedLogs()

        // Before the crash: a reply is claimed (durably 'sending'), and the process dies before recording anything.
        let first = try SQLiteStore(path: path)
        let before = Relay(store: first, keyring: keyring, logger: logs.logger())
        let thread = try await before.intake.ingest(InboundMessage(address: .phone(Self.phone), body: "hi", deliveryID: "SM00000000000000000000000000000001")).threadID
        let inFlight = try await before.outbox.queueReply(threadID: thread, text: "in flight")
        let claimed = try await before.outbox.claimDue()
        #expect(claimed.map(\.messageID) == [inFlight.messageID])
        let queued = try await before.outbox.queueReply(threadID: thread, text: "queued, not yet sent")
        try first.close()

        // After the restart: recovery marks the in-flight reply unknown; the dispatcher sends only the queued one.
        let second = try SQLiteStore(path: path)
        defer { try? second.close() }
        let after = Relay(store: second, keyring: keyring, logger: logs.logger())
        let twilio = StandInTwilio()
        try await twilio.run { (twilioPort: Int) async throws in
            let dispatcher = OutboxDispatcher(
                relay: after,
                client: TwilioClient(
                    configuration: TwilioConfiguration(accountSID: "AC" + String(repeating: "b", count: 32), authToken: "t", from: "+15005550006", apiBase: "http://127.0.0.1:\(twilioPort)"),
                    httpClient: HTTPClient.shared),
                logger: logs.logger())
            #expect(try await after.outbox.recoverInFlight() == 1)
            for _ in 0..<3 { await dispatcher.drainOnce() }
            #expect(try await after.outbox.state(messageID: inFlight.messageID) == .unknown)
            #expect(try await after.outbox.state(messageID: queued.messageID) == .sent)
            let bodies = await twilio.received.map { $0.fields["Body"] }
            #expect(bodies == ["queued, not yet sent"])
        }
    }

    @Test func aTimeoutAfterTheRequestWasSentIsUnknownNotRetried() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteStore(path: dir.file("data/saferelay.sqlite"))
        defer { try? store.close() }
        let relay = Relay(store: store, keyring: Keyring.generateForTest(), logger: CapturedLogs().logger())
        let twilio = StandInTwilio()
        await twilio.enqueue(.hang(seconds: 1))
        try await twilio.run { (twilioPort: Int) async throws in
            var twilioClient = TwilioClient(
                configuration: TwilioConfiguration(accountSID: "AC" + String(repeating: "b", count: 32), authToken: "t", from: "+15005550006", apiBase: "http://127.0.0.1:\(twilioPort)"),
                httpClient: HTTPClient.shared)
            twilioClient.timeout = .milliseconds(200)
            let dispatcher = OutboxDispatcher(relay: relay, client: twilioClient, logger: CapturedLogs().logger())
            let thread = try await relay.intake.ingest(InboundMessage(address: .phone(Self.phone), body: "hi", deliveryID: "SM00000000000000000000000000000001")).threadID
            let reply = try await relay.outbox.queueReply(threadID: thread, text: "slow")
            await dispatcher.drainOnce()
            #expect(try await relay.outbox.state(messageID: reply.messageID) == .unknown)
            for _ in 0..<3 { await dispatcher.drainOnce() }
            #expect(await twilio.received.count == 1)
        }
    }

    @Test func anUnreachableProviderIsRetriedBecauseNothingWasSent() async throws {
        var client = TwilioClient(
            configuration: TwilioConfiguration(accountSID: "AC" + String(repeating: "b", count: 32), authToken: "t", from: "+15005550006", apiBase: "http://127.0.0.1:1"),
            httpClient: HTTPClient.shared)
        client.timeout = .seconds(1)
        let outcome = await client.send(OutboundSMS(outboxID: "o", messageID: "m", to: Self.phone, body: "x"))
        guard case .retry = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
    }
}
