import Foundation
import RelayStore
import Synchronization

/// The last suppressed trend table and what it was made from: a report over unchanged counters
/// (another grouping, another range) reuses it instead of suppressing the whole lattice again.
/// Compared in full (the counters, the month, the policy), never by a hash: a table made from other
/// counts would hide the wrong cells.
final class TrendTableCache: Sendable {
    private struct Entry {
        let counts: [TrendCount]
        let lastMonth: TrendMonth
        let policy: TrendPolicy
        let table: TrendTable
    }

    private let last = Mutex<Entry?>(nil)

    /// The table for these inputs: the last one if it was made from the same, else a new one,
    /// made on a thread of its own (seconds of CPU at a national hotline's size: on Swift's
    /// cooperative pool, one thread per core, it would hold up every other request meanwhile).
    func table(counts: [TrendCount], lastMonth: TrendMonth, policy: TrendPolicy) async -> TrendTable {
        if let entry = last.withLock({ $0 }), entry.lastMonth == lastMonth, entry.policy == policy, entry.counts == counts {
            return entry.table
        }
        let table = await withCheckedContinuation { (continuation: CheckedContinuation<TrendTable, Never>) in
            let thread = Thread { continuation.resume(returning: TrendTable(counts: counts, policy: policy, lastMonth: lastMonth)) }
            thread.name = "saferelay-trends"
            thread.stackSize = 8 << 20
            thread.start()
        }
        last.withLock { $0 = Entry(counts: counts, lastMonth: lastMonth, policy: policy, table: table) }
        return table
    }
}
