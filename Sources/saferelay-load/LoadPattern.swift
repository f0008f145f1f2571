import Synchronization

/// The two ways of offering load: as fast as answers come back, or at a fixed arrival rate.
enum LoadPattern {
    /// Closed loop: `workers` clients, each sending its next request when the last is answered,
    /// for `duration`. `operation` gets a run-wide sequence number and returns a failure reason or `nil`.
    static func closedLoop(
        _ name: String, workers: Int, duration: Duration, operation: @escaping @Sendable (Int) async -> String?
    ) async -> PhaseResult {
        let recorder = LatencyRecorder()
        let sequence = Counter()
        let started = ContinuousClock.now
        let deadline = started + duration
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let n = sequence.next()
                        let sent = ContinuousClock.now
                        if let failure = await operation(n) { recorder.fail(failure) } else { recorder.record(ContinuousClock.now - sent) }
                    }
                }
            }
        }
        return recorder.result(name, elapsed: ContinuousClock.now - started)
    }

    /// Closed loop over a fixed number of operations (`count`), as fast as `workers` clients go.
    static func fixedCount(
        _ name: String, workers: Int, count: Int, operation: @escaping @Sendable (Int) async -> String?
    ) async -> PhaseResult {
        let recorder = LatencyRecorder()
        let sequence = Counter()
        let started = ContinuousClock.now
        await withDiscardingTaskGroup { group in
            for _ in 0..<min(workers, max(count, 1)) {
                group.addTask {
                    while true {
                        let n = sequence.next()
                        guard n < count else { return }
                        let sent = ContinuousClock.now
                        if let failure = await operation(n) { recorder.fail(failure) } else { recorder.record(ContinuousClock.now - sent) }
                    }
                }
            }
        }
        return recorder.result(name, elapsed: ContinuousClock.now - started)
    }

    /// Open loop: requests start at `rate` a second for `duration` whether or not earlier ones
    /// were answered, and each latency counts from when the request was due, so queueing delay
    /// shows instead of hiding (no coordinated omission). More than `maximumInFlight` unanswered
    /// requests count as failures ("overload") rather than growing without bound.
    static func openLoop(
        _ name: String, rate: Int, duration: Duration, maximumInFlight: Int = 20_000,
        operation: @escaping @Sendable (Int) async -> String?
    ) async -> PhaseResult {
        let recorder = LatencyRecorder()
        let inFlight = Counter()
        let total = Int(Double(rate) * duration.seconds)
        let interval = Duration.seconds(1) / rate
        let started = ContinuousClock.now
        await withDiscardingTaskGroup { group in
            var next = 0
            while next < total {
                let now = ContinuousClock.now
                // Start every request that is due by now (a tick is about a millisecond).
                while next < total, started + interval * next <= now {
                    let n = next
                    let due = started + interval * n
                    next += 1
                    if inFlight.value >= maximumInFlight {
                        recorder.fail("overload")
                        continue
                    }
                    _ = inFlight.next()
                    group.addTask {
                        if let failure = await operation(n) { recorder.fail(failure) } else { recorder.record(ContinuousClock.now - due) }
                        inFlight.decrement()
                    }
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        return recorder.result(name + " @\(rate)/s", elapsed: ContinuousClock.now - started)
    }
}

/// A shared counter for load tasks.
final class Counter: Sendable {
    private let atomic = Atomic<Int>(0)
    /// Adds one and returns the value before.
    func next() -> Int { atomic.add(1, ordering: .relaxed).oldValue }
    func decrement() { atomic.subtract(1, ordering: .relaxed) }
    var value: Int { atomic.load(ordering: .relaxed) }
}
