import GRDB
import GRDBSQLite

/// A zero-copy scan of the audit log through SQLite's C API: millions of rows are verified without
/// allocating per row.
extension SQLiteAccess {
    func forEachAuditLeaf(from seq: Int64, _ body: (Int64, UnsafeRawBufferPointer?, UnsafeRawBufferPointer) throws -> Void) throws {
        guard let connection = db.sqliteConnection else { throw StoreError.failed(code: SQLITE_MISUSE) }
        var statement: OpaquePointer?
        let sql = "SELECT seq, line, leaf_hash FROM audit_event WHERE seq >= ? ORDER BY seq"
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw StoreError.failed(code: sqlite3_errcode(connection))
        }
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_int64(statement, 1, seq)
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return }
            guard step == SQLITE_ROW else { throw StoreError.failed(code: step) }
            let position = sqlite3_column_int64(statement, 0)
            var line: UnsafeRawBufferPointer?
            if sqlite3_column_type(statement, 1) != SQLITE_NULL, let text = sqlite3_column_text(statement, 1) {
                line = UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, 1)))
            }
            let hashBytes = Int(sqlite3_column_bytes(statement, 2))
            guard let hash = sqlite3_column_blob(statement, 2), hashBytes == 32 else { throw StoreError.corruptRow(table: "audit_event") }
            try body(position, line, UnsafeRawBufferPointer(start: hash, count: hashBytes))
        }
    }
}
