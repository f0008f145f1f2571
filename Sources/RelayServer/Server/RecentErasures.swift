import Foundation

/// What the relay answered to recent erasures, by session stream key (a keyed hash of the token),
/// held in memory for fifteen minutes and never stored. A page whose erase answer was lost on the
/// way retries with the same token; that session no longer exists, so without this the retry could
/// only say "unauthorized" and the survivor would not know whether the conversation was deleted.
actor RecentErasures {
    private var answers: [String: (deferred: Bool, at: ContinuousClock.Instant)] = [:]
    private let lifetime: Duration = .seconds(15 * 60)

    /// Remembers an erasure's outcome.
    func record(session: String, deferred: Bool) {
        let now = ContinuousClock.now
        answers = answers.filter { now - $0.value.at < lifetime }
        answers[session] = (deferred, now)
    }

    /// The outcome of a recent erasure by this session, if any (`true`: deferred by a hold).
    func outcome(session: String) -> Bool? {
        guard let answer = answers[session], ContinuousClock.now - answer.at < lifetime else { return nil }
        return answer.deferred
    }
}
