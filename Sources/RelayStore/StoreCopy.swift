import Foundation
import GRDB
import PostgresNIO

/// Moves a hotline's SQLite database into an empty PostgreSQL one, row for row: ciphertext and
/// keyed hashes as they are (nothing is decrypted or re-sealed), the audit log with its sequence
/// numbers, in one transaction on the target, so that a failure leaves it empty.
public enum StoreCopy {
    /// Every table, parents before children, each in the order its rows were written.
    public static let tables: [(name: String, order: String)] = [
        ("contact", "rowid"), ("thread", "rowid"), ("message", "rowid"), ("handled_delivery", "rowid"), ("outbox", "rowid"),
        ("webchat_session", "rowid"), ("resume_phrase", "rowid"), ("audit_event", "seq"), ("audit_checkpoint", "tree_size"),
        ("legal_hold", "rowid"), ("account", "rowid"), ("api_session", "rowid"), ("case_record", "rowid"),
        ("suppressed_address", "rowid"), ("pending_audit", "id"), ("maintenance", "rowid"), ("staff_device", "rowid"),
        ("trend_count", "month, region, type, channel, who"), ("trend_snapshot", "rowid"),
    ]

    /// Columns SQLite still has but no longer uses (a column is not dropped there): not copied.
    /// `thread.do_not_contact` moved to `contact` in SQLite's migration 6.
    static let retiredColumns: Set<String> = ["thread.do_not_contact"]

    /// Why a copy did not start or did not finish (never a value from a row).
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The target already holds data: a copy goes only into an empty database.
        case targetNotEmpty(table: String)
        /// The source has a table or column the target does not (a newer or foreign schema).
        case schemaMismatch(table: String, column: String?)

        public var description: String {
            switch self {
            case .targetNotEmpty(let table):
                "the target database is not empty (\(table) has rows): copy only into a new, empty database"
            case .schemaMismatch(let table, let column):
                "the source's \(table)\(column.map { ".\($0)" } ?? "") has no place in the target (a different schema version?)"
            }
        }
    }

    /// Copies every row of the SQLite database at `path` into `target`, which must be empty.
    /// Returns the number of rows copied per table.
    public static func copy(fromSQLite path: String, to target: PostgresStore) async throws -> [String: Int] {
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? source.close() }
        // Every table the source has must be one this copies: none is left behind unnoticed.
        let sourceTables = try await source.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'")
        }
        let known = Set(tables.map(\.name))
        if let unknown = sourceTables.first(where: { !known.contains($0) }) { throw Failure.schemaMismatch(table: unknown, column: nil) }
        return try await target.withWriteConnection { connection, logger in
            for (table, _) in tables {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), logger: logger).collect()
                if !rows.isEmpty { throw Failure.targetNotEmpty(table: table) }
            }
            var counts: [String: Int] = [:]
            for (table, order) in tables {
                let types = try await columnTypes(table, connection, logger)
                guard !types.isEmpty else { throw Failure.schemaMismatch(table: table, column: nil) }
                let rows = try await source.read { db in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)") }
                for row in rows {
                    var columns: [String] = []
                    var bindings = PostgresBindings(capacity: row.count)
                    for (column, value) in zip(row.columnNames, row.databaseValues) where !retiredColumns.contains("\(table).\(column)") {
                        guard let type = types[column] else { throw Failure.schemaMismatch(table: table, column: column) }
                        try bind(value, as: type, into: &bindings)
                        columns.append(column)
                    }
                    let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ", ")
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))", binds: bindings),
                        logger: logger)
                }
                counts[table] = rows.count
            }
            // Ids given explicitly leave the serial behind them.
            try await connection.query(
                "SELECT setval(pg_get_serial_sequence('pending_audit', 'id'), coalesce((SELECT max(id) FROM pending_audit), 0) + 1, false)",
                logger: logger)
            return counts
        }
    }

    /// The target table's columns and their PostgreSQL types.
    private static func columnTypes(_ table: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> [String: String] {
        var types: [String: String] = [:]
        let rows = try await connection.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table)",
            logger: logger)
        for try await (name, type) in rows.decode((String, String).self) { types[name] = type }
        return types
    }

    /// One SQLite value bound as the target column's type.
    private static func bind(_ value: DatabaseValue, as type: String, into bindings: inout PostgresBindings) throws {
        switch value.storage {
        case .null: bindings.appendNull()
        case .int64(let number) where type == "boolean": bindings.append(number != 0)
        case .int64(let number): bindings.append(number)
        case .double(let number): bindings.append(number)
        case .string(let text): bindings.append(text)
        case .blob(let data): try bindings.append(data)
        }
    }
}
