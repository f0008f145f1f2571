import Foundation

/// Where an outbound SMS is in its life. `sending` is written durably before the provider is
/// called; a crash that leaves it there turns it into `unknown`, which is never retried on its own.
public enum OutboxState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its next attempt.
    case queued
    /// A request to the provider may be in flight.
    case sending
    /// The provider accepted it.
    case sent
    /// The provider reported delivery.
    case delivered
    /// It will not be sent (refused, opted out, retries exhausted, undelivered).
    case failed
    /// Its fate is unknown (crash or timeout mid-request); shown to the advocate, never re-sent automatically.
    case unknown
}
