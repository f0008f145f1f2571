import AsyncHTTPClient
import Logging
import RelayCore
import RelayModel
import ServiceLifecycle

/// Drains the SMS outbox: on start, turns entries left `sending` by a crash into `unknown`
/// (on a store shared by several instances, only stale ones, and every 30 seconds); then
/// claims due entries (durably `sending`), sends each once, and records the outcome. On a graceful
/// stop it claims nothing more, lets the sends already under way finish and records them, and
/// hands claimed ones not yet started back to the queue.
public struct OutboxDispatcher: Service {
    let relay: Relay
    let client: TwilioClient?
    let email: MailgunClient?
    let logger: Logger
    /// Pause between polls when the outbox is empty.
    public var pollInterval: Duration = .milliseconds(200)

    /// Creates a dispatcher over the providers configured (SMS, email, or both).
    public init(relay: Relay, client: TwilioClient?, email: MailgunClient? = nil, logger: Logger) {
        self.relay = relay
        self.client = client
        self.email = email
        self.logger = logger
    }

    /// Hands a message to its channel's provider; a channel with none configured is retried later.
    func send(_ message: OutboundSMS) async -> SendOutcome {
        switch message.channel {
        case .email:
            guard let email else { return .retry(code: "email_not_configured") }
            return await email.send(message)
        default:
            guard let client else { return .retry(code: "sms_not_configured") }
            return await client.send(message)
        }
    }

    public func run() async throws {
        // A store that cannot take the write yet (busy, or the database unreachable at start) is
        // asked again: a service that ends would stop the whole server. Claims take only queued
        // entries, so nothing is sent meanwhile that recovery should have stopped.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await relay.outbox.recoverInFlight()
                break
            } catch {
                logger.warning("outbox recovery postponed: the store cannot take it yet", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
        }
        await withGracefulShutdownHandler {
            var lastRecovery = ContinuousClock.now
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let sent = await drainOnce()
                if sent == 0 { try? await Task.sleep(for: pollInterval) }
                // On a shared store, an instance that died mid-send may never restart: another
                // instance turns its stale claims into `unknown`.
                if relay.isStoreShared, ContinuousClock.now - lastRecovery > .seconds(30) {
                    _ = try? await relay.outbox.recoverInFlight()
                    lastRecovery = ContinuousClock.now
                }
            }
        } onGracefulShutdown: {
            logger.debug("outbox dispatcher stopping")
        }
    }

    /// Claims and sends one batch. Returns how many were attempted.
    @discardableResult
    public func drainOnce() async -> Int {
        let batch: [OutboundSMS]
        do {
            batch = try await relay.outbox.claimDue()
        } catch {
            logger.error("outbox claim failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for sms in batch {
                group.addTask {
                    // An erase or a flag since the claim stops it here, before anything leaves. If the
                    // look itself fails, nothing left: the entry goes back to the queue, not to `unknown`.
                    // A stop that began after the claim: the send has not started, so it goes back
                    // to the queue for the next start, not to `unknown`.
                    if Task.isShuttingDownGracefully || Task.isCancelled {
                        try? await relay.outbox.recordSendOutcome(outboxID: sms.outboxID, messageID: sms.messageID, .retry(code: "shutdown"))
                        return
                    }
                    do {
                        guard try await relay.outbox.confirmSendable(sms) else { return }
                    } catch {
                        try? await relay.outbox.recordSendOutcome(outboxID: sms.outboxID, messageID: sms.messageID, .retry(code: "store_unavailable"))
                        return
                    }
                    let outcome = await send(sms)
                    do {
                        try await relay.outbox.recordSendOutcome(outboxID: sms.outboxID, messageID: sms.messageID, outcome)
                    } catch {
                        logger.error("outbox outcome not recorded", metadata: ["message.id": "\(sms.messageID)"])
                    }
                }
            }
        }
        return batch.count
    }
}

extension OutboxDispatcher: CustomStringConvertible {
    /// A plain name: service lifecycles log their services' descriptions, which must hold no secrets.
    public var description: String { "OutboxDispatcher" }
}
