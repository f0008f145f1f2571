/// Storage failures, phrased without any stored value.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The WAL could not be truncated (a reader held it); erasure is committed but pages may linger until the next checkpoint.
    case checkpointIncomplete
    /// A stored row does not decode (corruption or a newer schema).
    case corruptRow(table: String)
    /// Another process holds the database locked.
    case busy
    /// SQLite refused the operation (constraint, I/O, corruption), with its result code.
    case failed(code: Int32)
    /// The database server cannot be reached (PostgreSQL: refused, dropped, timed out).
    case unavailable
    /// PostgreSQL refused the operation, with its SQLSTATE (a class and condition, never a value).
    case refused(sqlState: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the database at \(path): \(reason)"
        case .checkpointIncomplete: "the WAL checkpoint could not complete; retry when readers have finished"
        case .corruptRow(let table): "a row in \(table) does not decode"
        case .busy: "the database is locked by another process; try again when it has finished"
        case .failed(let code): "the database refused the operation (SQLite result code \(code))"
        case .unavailable: "the database server cannot be reached; the relay retries by itself"
        case .refused(let sqlState): "the database refused the operation (SQLSTATE \(sqlState))"
        }
    }
}
