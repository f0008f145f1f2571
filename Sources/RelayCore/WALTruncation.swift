import Foundation
import Logging
import RelayStore

/// Keeps the promise that deleted bytes live in no file of the database: after every deletion the
/// WAL is checkpointed and truncated; an attempt that a reader on an old snapshot blocks is retried
/// in the background, with backoff, until it succeeds (or the store closes).
///
/// Attempts are single-flight: every deletion takes a ticket, one attempt at a time runs for all
/// tickets issued before it started, and callers that arrive meanwhile wait for it (or for the next
/// one) instead of each holding the writer for their own. A debt is settled only by an attempt that
/// started after it was incurred.
///
/// ```swift
/// let clean = await relay.walTruncation.truncate()   // false: retries are scheduled
/// ```
public actor WALTruncation {
    private let store: any RelayStore
    private let logger: Logger
    /// Tickets issued: one per deletion that needs the WAL truncated.
    private var issued = 0
    /// Every ticket up to this one is settled (a successful attempt started after it).
    private var settled = 0
    /// The attempt in flight and the tickets it covers.
    private var inFlight: (id: Int, covers: Int, task: Task<Bool, Never>)?
    private var attempts = 0
    private var retry: Task<Void, Never>?
    private var stopped = false

    /// First pause between retries; doubles up to ``longestPause``.
    public static let firstPause: Duration = .milliseconds(200)
    /// Longest pause between retries.
    public static let longestPause: Duration = .seconds(5)
    /// How long the attempt a deletion waits on may wait for readers (writers wait with it).
    public static let firstPatience: Duration = .milliseconds(500)
    /// How long each background retry waits for readers: short, so that a long reader costs writers little.
    public static let retryPatience: Duration = .milliseconds(100)

    /// Creates the keeper for `store`.
    init(store: any RelayStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Whether a truncation is still owed.
    public var isPending: Bool { settled < issued }
    /// Attempts made so far (each holds the writer while it waits for readers).
    public var attemptsMade: Int { attempts }

    /// Takes a ticket and waits for an attempt that covers it. Returns whether the WAL was truncated
    /// after this call began; when not, retries are scheduled and go on until one succeeds.
    @discardableResult
    public func truncate() async -> Bool {
        guard !stopped else { return false }
        issued += 1
        let ticket = issued
        while !stopped {
            if settled >= ticket { return true }
            if let running = inFlight {
                let succeeded = await running.task.value
                finished(running.id, covers: running.covers, succeeded: succeeded)
                if running.covers >= ticket {
                    if !succeeded { scheduleRetries() }
                    return succeeded
                }
                continue  // it started before this ticket: the next attempt covers it
            }
            let succeeded = await attempt(patience: Self.firstPatience)
            if settled >= ticket { return true }
            if !succeeded {
                scheduleRetries()
                return false
            }
        }
        return false
    }

    /// Waits (bounded) until no truncation is owed. Returns whether that happened in time.
    public func waitUntilClean(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while isPending {
            guard clock.now < deadline, !stopped else { return false }
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

    /// One attempt for every ticket issued so far; settles them on success.
    private func attempt(patience: Duration) async -> Bool {
        attempts += 1
        let id = attempts
        let covers = issued
        let store = self.store
        let task = Task<Bool, Never> {
            do {
                try await store.checkpointAndTruncate(patience: patience)
                return true
            } catch {
                return false
            }
        }
        inFlight = (id, covers, task)
        let succeeded = await task.value
        finished(id, covers: covers, succeeded: succeeded)
        return succeeded
    }

    /// Records an attempt's end; whoever sees it first (its starter or a waiter) does so.
    private func finished(_ id: Int, covers: Int, succeeded: Bool) {
        if inFlight?.id == id { inFlight = nil }
        if succeeded { settled = max(settled, covers) }
    }

    private func scheduleRetries() {
        guard retry == nil, !stopped else { return }
        logger.warning("WAL truncation blocked by a reader; retrying until it succeeds")
        retry = Task { [weak self] in
            var pause = Self.firstPause
            var tries = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: pause)
                guard let self, !Task.isCancelled else { return }
                tries += 1
                if await self.retryOnce(tries: tries) { return }
                pause = min(pause * 2, Self.longestPause)
            }
        }
    }

    /// One background retry (joining an attempt already in flight); ends the retries once nothing is owed.
    private func retryOnce(tries: Int) async -> Bool {
        if let running = inFlight {
            finished(running.id, covers: running.covers, succeeded: await running.task.value)
        } else {
            _ = await attempt(patience: Self.retryPatience)
        }
        guard !isPending else { return false }
        retry = nil
        logger.info("WAL truncated after retries", metadata: ["attempts": "\(tries)"])
        return true
    }
}
