import Foundation
import Synchronization

/// Each frozen period's suppressed table, made once: a frozen period never changes, so later
/// reports reuse it. Compared in full with its snapshot, never by a hash.
final class TrendTableCache: Sendable {
    private let tables = Mutex<[String: (snapshot: TrendSnapshot, table: TrendTable)]>([:])

    /// The tables of these snapshots, the missing ones made on a thread of their own (seconds of
    /// CPU for a national hotline's quarter: on Swift's cooperative pool, one thread per core, that
    /// would hold up every other request meanwhile).
    func tables(for snapshots: [TrendSnapshot]) async -> [TrendTable] {
        let known = tables.withLock { $0 }
        let missing = snapshots.filter { known[$0.period]?.snapshot != $0 }
        var made: [TrendTable] = []
        if !missing.isEmpty {
            made = await withCheckedContinuation { (continuation: CheckedContinuation<[TrendTable], Never>) in
                let thread = Thread { continuation.resume(returning: missing.map { TrendTable($0) }) }
                thread.name = "saferelay-trends"
                thread.stackSize = 8 << 20
                thread.start()
            }
            tables.withLock { cache in for (snapshot, table) in zip(missing, made) { cache[snapshot.period] = (snapshot, table) } }
        }
        return snapshots.map { snapshot in
            if let index = missing.firstIndex(of: snapshot) { return made[index] }
            return known[snapshot.period]!.table
        }
    }
}
