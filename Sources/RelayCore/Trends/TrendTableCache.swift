import Foundation
import Synchronization

/// Each frozen period's suppressed table, made once: a frozen period never changes, so later
/// reports reuse it. Compared in full with its snapshot, never by a hash.
final class TrendTableCache: Sendable {
    private let tables = Mutex<[String: (snapshot: TrendSnapshot, table: TrendTable)]>([:])

    /// These new snapshots with their suppression decided (``TrendSnapshot/sealed(by:)``), the
    /// search run on a thread of its own (a second of CPU for a national hotline's year: on Swift's
    /// cooperative pool, one thread per core, that would hold up every other request meanwhile).
    func freeze(_ snapshots: [TrendSnapshot]) async -> [TrendSnapshot] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[TrendSnapshot], Never>) in
            let thread = Thread { continuation.resume(returning: snapshots.map { $0.sealed(by: TrendTable($0)) }) }
            thread.name = "saferelay-trends"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// The tables of these frozen snapshots (built from their counts and stored decisions: no
    /// search), each made once.
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
