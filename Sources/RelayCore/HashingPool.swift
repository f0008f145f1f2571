import Foundation
import RelayCrypto
import Synchronization

/// Argon2id work (password, enrolment and resume-phrase hashing) on a few threads of its own.
///
/// A hash takes about 100 ms of CPU and 64 MiB. Run on Swift's cooperative pool (one thread per
/// core), a burst of them would stall every other request, `/healthz` included. Here at most
/// ``concurrency`` run at once, on threads outside that pool, and at most ``maximumWaiting`` wait;
/// past that the work is refused at once with ``HashingBusy`` (the server answers 503).
public final class HashingPool: Sendable {
    /// How many hashes run at once.
    public let concurrency: Int
    /// How many may wait for a thread before new work is refused.
    public let maximumWaiting: Int

    private struct Counters {
        var admitted = 0
        var running = 0
        var peakRunning = 0
        var completed = 0
    }

    /// Jobs waiting for a thread, guarded by `condition`'s lock.
    private final class JobQueue: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let queue = JobQueue()
    private let counters = Mutex(Counters())

    /// Creates a pool and starts its threads; `concurrency` defaults to half the cores (at least one).
    /// The threads are the pool's own, not Dispatch's or the cooperative pool's, so that no other
    /// blocking work can starve them and they can starve nothing else.
    public init(concurrency: Int = HashingPool.defaultConcurrency, maximumWaiting: Int = 64) {
        self.concurrency = max(1, concurrency)
        self.maximumWaiting = max(0, maximumWaiting)
        for index in 0..<self.concurrency {
            let queue = self.queue
            let thread = Thread {
                while true {
                    queue.condition.lock()
                    while queue.jobs.isEmpty && !queue.stopped { queue.condition.wait() }
                    guard !queue.jobs.isEmpty else {
                        queue.condition.unlock()
                        return
                    }
                    let job = queue.jobs.removeFirst()
                    queue.condition.unlock()
                    job()
                }
            }
            thread.name = "saferelay-hashing-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit {
        // Jobs hold the pool, so none is left: the threads end.
        queue.condition.lock()
        queue.stopped = true
        queue.condition.broadcast()
        queue.condition.unlock()
    }

    /// Half the machine's cores, at least one: the rest stay free for requests.
    public static var defaultConcurrency: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / 2) }

    /// Runs `work` on one of the pool's threads.
    /// - Throws: ``HashingBusy`` when ``maximumWaiting`` jobs already wait; whatever `work` throws.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted = counters.withLock { counters -> Bool in
            guard counters.admitted < concurrency + maximumWaiting else { return false }
            counters.admitted += 1
            return true
        }
        guard admitted else { throw HashingBusy() }
        return try await withCheckedThrowingContinuation { continuation in
            let job: @Sendable () -> Void = {
                self.counters.withLock {
                    $0.running += 1
                    $0.peakRunning = max($0.peakRunning, $0.running)
                }
                let result = Result { try work() }
                self.counters.withLock {
                    $0.running -= 1
                    $0.admitted -= 1
                    $0.completed += 1
                }
                continuation.resume(with: result)
            }
            queue.condition.lock()
            queue.jobs.append(job)
            queue.condition.signal()
            queue.condition.unlock()
        }
    }

    /// Jobs finished since the pool was made (tests count the work a request costs with it).
    public var completed: Int { counters.withLock { $0.completed } }
    /// Most jobs that ever ran at once.
    public var peakRunning: Int { counters.withLock { $0.peakRunning } }
    /// Jobs running or waiting now.
    public var inFlight: Int { counters.withLock { $0.admitted } }
}

/// Too much hashing is waiting already: try again shortly.
public struct HashingBusy: Error, CustomStringConvertible {
    public var description: String { "too many password or phrase checks waiting; try again shortly" }
}

extension HashingPool {
    /// Hashes `secret` with `hasher` on the pool.
    func hash(_ secret: String, with hasher: PasswordHasher) async throws -> String {
        try await run { try hasher.hash(secret) }
    }

    /// Verifies `secret` against `stored` with `hasher` on the pool.
    func verify(_ secret: String, against stored: String, with hasher: PasswordHasher) async throws -> Bool {
        try await run { hasher.verify(secret, against: stored) }
    }
}
