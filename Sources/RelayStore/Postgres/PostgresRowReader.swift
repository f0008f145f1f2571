import Foundation
import PostgresNIO

/// One result row, read by column name; a value that does not decode is a corrupt row of `table`
/// (never the value itself in the error).
struct PostgresRowReader {
    let row: PostgresRandomAccessRow
    let table: String

    init(_ row: PostgresRow, table: String) {
        self.row = row.makeRandomAccess()
        self.table = table
    }

    /// The column's value (optional types read SQL NULL as `nil`).
    func callAsFunction<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard row.contains(column) else { throw StoreError.corruptRow(table: table) }
        do {
            return try row[column].decode(T.self)
        } catch {
            throw StoreError.corruptRow(table: table)
        }
    }
}
