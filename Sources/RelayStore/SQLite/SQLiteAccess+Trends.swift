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
            try db.cachedStatement(sql: "UPDATE trend_count SET count = count + ? WHERE month = ? AND region = ? AND type = ? AND channel = ? AND who = ? AND count >= ?")
                .execute(arguments: [delta] + arguments + [-delta])
            guard db.changesCount == 1 else { throw StoreError.corruptRow(table: "trend_count") }
            try db.cachedStatement(sql: "DELETE FROM trend_count WHERE month = ? AND region = ? AND type = ? AND channel = ? AND who = ? AND count = 0")
                .execute(arguments: arguments)
        }
    }
}
