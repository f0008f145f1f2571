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
            let changed = try await changes("""
                UPDATE trend_count SET count = count + \(amount)
                WHERE month = \(key.month) AND region = \(key.region) AND type = \(key.type) AND channel = \(key.channel) AND who = \(key.who)
                    AND count >= \(-amount)
                """)
            guard changed == 1 else { throw StoreError.corruptRow(table: "trend_count") }
            try await run("""
                DELETE FROM trend_count
                WHERE month = \(key.month) AND region = \(key.region) AND type = \(key.type) AND channel = \(key.channel) AND who = \(key.who) AND count = 0
                """)
        }
    }
}
