import Foundation
import Synchronization

/// Runs an asynchronous transaction body on the thread that holds a SQLite connection.
///
/// GRDB hands out a connection inside a synchronous closure on its own queue; the store's protocol
/// is asynchronous, so that a PostgreSQL backend can implement it over an asynchronous driver. The
/// pump joins the two without a thread hop per statement: inside GRDB's closure it starts the body
/// as a task that prefers this pump as its executor, and runs that task's jobs right here, on the
/// connection's thread, until the body is done. The store's methods are synchronous underneath, so
/// awaiting them does not suspend and a whole transaction usually runs in one go on one thread.
///
/// A body that awaits something else (an actor, a sleep) parks this thread until its job comes
/// back, as a synchronous body that blocked would, and one that waited on another transaction
/// would never wake: transaction bodies touch the store only. Debug builds (the tests) stop at the
/// first body that waits on another thread; an actor that happens to be free runs inline on this
/// thread and is not seen, so the rule is also kept by review.
final class ConnectionPump: TaskExecutor, @unchecked Sendable {
    private struct Queue {
        var jobs: [UnownedJob] = []
        var finished = false
        /// The connection's thread, which runs the jobs.
        let thread = pthread_self()
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)

    private init() {}

    /// Runs `body` to completion on the calling thread and returns what it returned.
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let pump = ConnectionPump()
        let outcome = Outcome<T>()
        Task(executorPreference: pump) {
            do {
                outcome.set(.success(try await body()))
            } catch {
                outcome.set(.failure(error))
            }
            pump.finish()
        }
        pump.runUntilFinished()
        return try outcome.get()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let fromElsewhere = queue.withLock { queue in
            queue.jobs.append(job)
            return pthread_equal(queue.thread, pthread_self()) == 0
        }
        assert(!fromElsewhere, "a transaction body awaited something other than the store")
        wake.signal()
    }

    private func finish() {
        queue.withLock { $0.finished = true }
        wake.signal()
    }

    /// Runs the jobs that arrive, in order, until the body has finished.
    private func runUntilFinished() {
        let executor = asUnownedTaskExecutor()
        while true {
            wake.wait()
            let (jobs, finished) = queue.withLock { queue in
                defer { queue.jobs.removeAll(keepingCapacity: true) }
                return (queue.jobs, queue.finished)
            }
            for job in jobs { job.runSynchronously(on: executor) }
            if finished { return }
            // Nothing left to run and the body not done: it is waiting on another thread (a busy
            // actor, a sleep, another transaction — which would never come).
            let waitingElsewhere = queue.withLock { $0.jobs.isEmpty && !$0.finished }
            assert(!waitingElsewhere, "a transaction body awaited something other than the store")
        }
    }
}

/// What a pumped body returned or threw; written once by the body's task, read after it finished.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    private let value = Mutex<Result<T, any Error>?>(nil)

    func set(_ result: Result<T, any Error>) { value.withLock { $0 = result } }

    func get() throws -> T {
        guard let result = value.withLock({ $0 }) else { preconditionFailure("the pumped body never finished") }
        return try result.get()
    }
}
