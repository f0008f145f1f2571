import Dispatch
import Foundation
@testable import RelayCore
import RelayCrypto
import Testing

/// The two pieces the staff hardening stands on, alone: the hashing pool refuses instead of queueing
/// without bound, and the login guard counts guesses before they are checked and only guesses.
@Suite(.timeLimit(.minutes(1)))
struct HashingPoolAndLoginGuardTests {
    @Test func aFullHashingPoolRefusesAtOnceInsteadOfQueueing() async throws {
        let pool = HashingPool(concurrency: 1, maximumWaiting: 1)
        let gate = DispatchSemaphore(value: 0)
        let running = Task { try await pool.run { _ = gate.wait(timeout: .now() + 20); return 1 } }
        let waiting = Task { try await pool.run { 2 } }
        for _ in 0..<500 where pool.inFlight < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(pool.inFlight == 2)
        await #expect(throws: HashingBusy.self) { try await pool.run { 3 } }
        gate.signal()
        #expect(try await running.value == 1)
        #expect(try await waiting.value == 2)
        #expect(pool.peakRunning == 1 && pool.inFlight == 0)
        #expect(try await pool.run { 4 } == 4)
    }

    @Test func guessesInFlightCountAndOnlyGuessesLock() async throws {
        let guardian = LoginGuard(hashKey: Keyring.generate(now: "2026-11-30T00:00:00Z").blindIndex(.rateLimit), threshold: 2)
        // Two attempts at once use up the allowance: a third, sent meanwhile, is refused unchecked.
        let first = try #require(await guardian.begin(client: "203.0.113.7", name: "ana"))
        let second = try #require(await guardian.begin(client: "203.0.113.7", name: "ana"))
        #expect(await guardian.begin(client: "203.0.113.7", name: "ana") == nil)
        // Refusals that were not guesses (a busy pool, a store error) give the place back and count nothing.
        await guardian.finish(first, outcome: .notCounted)
        await guardian.finish(second, outcome: .notCounted)
        for _ in 0..<5 {
            let ticket = try #require(await guardian.begin(client: "203.0.113.7", name: "ana"))
            await guardian.finish(ticket, outcome: .notCounted)
        }
        // Two wrong guesses lock this client out of this name, and no one else.
        for _ in 0..<2 {
            let ticket = try #require(await guardian.begin(client: "203.0.113.7", name: "ana"))
            await guardian.finish(ticket, outcome: .failed)
        }
        #expect(await guardian.begin(client: "203.0.113.7", name: "ana") == nil)
        #expect(await guardian.begin(client: "198.51.100.2", name: "ana") != nil)
        #expect(await guardian.begin(client: "203.0.113.7", name: "bea") != nil)
    }
}
