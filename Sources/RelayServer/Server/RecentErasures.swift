import Foundation

/// What the relay answered to recent erasures, by session stream key (a keyed hash of the token),
/// held in memory for fifteen minutes and never stored. A page whose erase answer was lost on the
/// way retries with the same token; that session no longer exists, so without this the retry could
/// only say "unauthorized" and the survivor would not know whether the conversation was deleted.
/// An erasure still running is known too, so that a retry waits for its outcome.
actor RecentErasures {
    private enum Outcome {
        case running
        case done(deferred: Bool)
    }

    private var answers: [String: (outcome: Outcome, at: ContinuousClock.Instant)] = [:]
    private let lifetime: Duration = .seconds(15 * 60)

    /// Notes that an erasure for this session has started.
    func begin(session: String) {
        sweep()
        answers[session] = (.running, .now)
    }

    /// Remembers an erasure's outcome.
    func finish(session: String, deferred: Bool) {
        answers[session] = (.done(deferred: deferred), .now)
    }

    /// Forgets an erasure that failed (the survivor's retry must try again).
    func fail(session: String) {
        answers[session] = nil
    }

    /// The outcome of a recent erasure by this session (`true`: deferred by a hold), waiting up to
    /// `patience` for one still running; `nil` if there was none or it did not finish in time.
    func outcome(session: String, patience: Duration = .seconds(10)) async -> Bool? {
        let deadline = ContinuousClock.now.advanced(by: patience)
        while let answer = answers[session], ContinuousClock.now - answer.at < lifetime {
            if case .done(let deferred) = answer.outcome { return deferred }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    private func sweep() {
        let now = ContinuousClock.now
        answers = answers.filter { now - $0.value.at < lifetime }
    }
}
