import Foundation
import GRDB

/// The trend counters.
extension SQLiteAccess {
    func trendCounts() throws -> [TrendCount] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT month, region, type, channel, who, count FROM trend_count WHERE count > 0 ORDER BY month, region, type, channel, who"))
            .map { TrendCount(month: $0["month"], region: $0["region"], type: $0["type"], channel: $0["channel"], who: $0["who"], count: $0["count"]) }
    }

    func adjustTrendCount(_ key: TrendCount, by delta: Int) throws {
        let arguments: StatementArguments = [key.month, key.region, key.type, key.channel, key.who]
        if delta > 0 {
            try db.cachedStatement(sql: """
                INSERT INTO trend_count (month, region, type, channel, who, count) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (month, region, type, channel, who) DO UPDATE SET count = count + excluded.count
                """).execute(arguments: arguments + [delta])
        } else if delta < 0 {
            try db.cachedStatement(sql: "UPDATE trend_count SET count = max(count + ?, 0) WHERE month = ? AND region = ? AND type = ? AND channel = ? AND who = ?")
                .execute(arguments: [delta] + arguments)
            try db.cachedStatement(sql: "DELETE FROM trend_count WHERE month = ? AND region = ? AND type = ? AND channel = ? AND who = ? AND count = 0")
                .execute(arguments: arguments)
        }
    }

    func trendSnapshots() throws -> [TrendSnapshotRecord] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT period, body, made_at FROM trend_snapshot ORDER BY period"))
            .map { TrendSnapshotRecord(period: $0["period"], body: $0["body"], madeAt: $0["made_at"]) }
    }

    func insertTrendSnapshot(_ snapshot: TrendSnapshotRecord) throws {
        try db.cachedStatement(sql: "INSERT INTO trend_snapshot (period, body, made_at) VALUES (?, ?, ?) ON CONFLICT (period) DO NOTHING")
            .execute(arguments: [snapshot.period, snapshot.body, snapshot.madeAt])
    }
}
