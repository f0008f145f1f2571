import GRDB

extension StoreWriter {
    /// Makes every later audit append fail (tests of fail-closed auditing only).
    public func blockAuditForTest() throws {
        guard let access = self as? SQLiteAccess else { return }
        try access.db.execute(sql: "CREATE TEMP TRIGGER IF NOT EXISTS block_audit BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'audit blocked'); END")
    }
}
