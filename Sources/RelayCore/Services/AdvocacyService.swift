/// Advocates' work on threads: the queue, claim, transfer, close, the audited thread view, replies, statistics.
public struct AdvocacyService: RelayService {
    let context: RelayContext
}
