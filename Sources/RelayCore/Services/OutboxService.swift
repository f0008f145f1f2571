/// The durable SMS outbox: queueing replies, claims, outcomes, delivery status; a reply is never sent twice.
public struct OutboxService: RelayService {
    let context: RelayContext
}
