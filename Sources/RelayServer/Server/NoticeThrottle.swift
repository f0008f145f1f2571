import Logging
import Synchronization

/// Logs a repeated notice at most once a minute, with how many were held back since: a flood of
/// forged webhooks must not flood the log (or the disk under it).
final class NoticeThrottle: Sendable {
    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var heldBack = 0
    }

    private let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    /// Logs `message` at notice level unless one was logged within the interval.
    func notice(_ message: Logger.Message, reason: String, logger: Logger) {
        let now = ContinuousClock.now
        let heldBack = state.withLock { state -> Int? in
            if let last = state.lastLogged, now - last < interval {
                state.heldBack += 1
                return nil
            }
            let count = state.heldBack
            state.lastLogged = now
            state.heldBack = 0
            return count
        }
        guard let heldBack else { return }
        logger.notice(message, metadata: ["reason": "\(reason)", "held_back": "\(heldBack)"])
    }
}
