import Foundation
import PostgresNIO

/// The trend counters (each change one atomic statement: instances writing at once add up).
extension PostgresAccess {
    func trendCounts() async throws -> [TrendCount] {
        try await rows("SELECT month, region, type, channel, who, count FROM trend_count WHERE count > 0 ORDER BY month, region, type, channel, who", table: "trend_count").map {
            TrendCount(month: try $0("month"), region: try $0("region"), type: try $0("type"), channel: try $0("channel"), who: try $0("who"), count: Int(try $0("count") as Int64))
        }
    }

    func adjustTrendCount(_ key: TrendCount, by delta: Int) async throws {
        let amount = Int64(delta)
        if delta > 0 {
            try await run("""
                INSERT INTO trend_count (month, region, type, channel, who, count)
                VALUES (\(key.month), \(key.region), \(key.type), \(key.channel), \(key.who), \(amount))
                ON CONFLICT (month, region, type, channel, who) DO UPDATE SET count = trend_count.count + excluded.count
                """)
        } else if delta < 0 {
            try await run("""
                UPDATE trend_count SET count = greatest(count + \(amount), 0)
                WHERE month = \(key.month) AND region = \(key.region) AND type = \(key.type) AND channel = \(key.channel) AND who = \(key.who)
                """)
            try await run("""
                DELETE FROM trend_count
                WHERE month = \(key.month) AND region = \(key.region) AND type = \(key.type) AND channel = \(key.channel) AND who = \(key.who) AND count = 0
                """)
        }
    }

    func trendSnapshots() async throws -> [TrendSnapshotRecord] {
        try await rows("SELECT period, body, made_at FROM trend_snapshot ORDER BY period", table: "trend_snapshot").map {
            TrendSnapshotRecord(period: try $0("period"), body: try $0("body"), madeAt: try $0("made_at"))
        }
    }

    func insertTrendSnapshot(_ snapshot: TrendSnapshotRecord) async throws {
        try await run("""
            INSERT INTO trend_snapshot (period, body, made_at) VALUES (\(snapshot.period), \(snapshot.body), \(snapshot.madeAt))
            ON CONFLICT (period) DO NOTHING
            """)
    }
}
