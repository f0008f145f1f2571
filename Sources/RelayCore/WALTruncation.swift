import Foundation
import Logging
import RelayStore

/// Keeps the promise that deleted bytes live in no file of the database: after every deletion the
/// WAL is checkpointed and truncated; an attempt that a reader on an old snapshot blocks is retried
/// in the background, with backoff, until it succeeds (or the store closes).
///
/// ```swift
/// let clean = await relay.walTruncation.truncate()   // false: a retry is scheduled
/// ```
public actor WALTruncation {
    private let store: any RelayStore
    private let logger: Logger
    private var retry: Task<Void, Never>?
    private var stopped = false
    /// Bumped by every failed attempt, so that a retry that succeeded before a later failure does
    /// not settle the debt of that later deletion.
    private var failures = 0

    /// First pause between retries; doubles up to ``longestPause``.
    public static let firstPause: Duration = .milliseconds(200)
    /// Longest pause between retries.
    public static let longestPause: Duration = .seconds(2)
    /// How long the first attempt waits for readers (writers wait with it).
    public static let firstPatience: Duration = .seconds(1)
    /// How long each retry waits for readers: short, so that a long reader costs writers little.
    public static let retryPatience: Duration = .milliseconds(200)

    /// Creates the keeper for `store`.
    public init(store: any RelayStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Whether a truncation is still owed (a retry is scheduled).
    public var isPending: Bool { retry != nil }

    /// Tries once now; when that fails, schedules retries until one succeeds. Returns whether the
    /// WAL is empty now.
    @discardableResult
    public func truncate() async -> Bool {
        guard !stopped else { return false }
        if await attempt(patience: Self.firstPatience) { return true }
        failures += 1
        scheduleRetries()
        return false
    }

    /// Waits (bounded) until no truncation is owed. Returns whether that happened in time.
    public func waitUntilClean(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while retry != nil {
            guard clock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Stops retrying (the store is about to close; its own shutdown checkpoint takes over).
    public func stop() {
        stopped = true
        retry?.cancel()
        retry = nil
    }

    private func attempt(patience: Duration) async -> Bool {
        do {
            try await store.checkpointAndTruncate(patience: patience)
            return true
        } catch {
            return false
        }
    }

    private func scheduleRetries() {
        guard retry == nil, !stopped else { return }
        logger.warning("WAL truncation blocked by a reader; retrying until it succeeds")
        retry = Task { [weak self] in
            var pause = Self.firstPause
            var attempts = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: pause)
                guard let self, !Task.isCancelled else { return }
                attempts += 1
                let seen = await self.failures
                if await self.attempt(patience: Self.retryPatience), await self.settle(seen: seen, attempts: attempts) { return }
                pause = min(pause * 2, Self.longestPause)
            }
        }
    }

    /// Ends the retries when no attempt failed since `seen`; otherwise they go on.
    private func settle(seen: Int, attempts: Int) -> Bool {
        guard failures == seen else { return false }
        retry = nil
        logger.info("WAL truncated after retries", metadata: ["attempts": "\(attempts)"])
        return true
    }
}
