import Foundation
import GRDB
import RelayModel

/// Threads and messages as GRDB records: fetched straight from the statement (no row copied), their
/// columns named once (`Columns`, in `selection`'s order) and read by position.
///
/// Fetch them only with `SELECT \(Record.selection) FROM …`: with `SELECT *` the table's own column
/// order (later migrations appended columns) would be read by these positions.
extension ThreadRecord: FetchableRecord {
    /// The thread table's columns, in the order of ``selection``.
    enum Columns: String, CaseIterable {
        case id, contactID = "contact_id", channel, state, wrappedKey = "wrapped_key", kekVersion = "kek_version", keyVersion = "key_version"
        case openedAt = "opened_at", lastActivityAt = "last_activity_at", closedAt = "closed_at", erasedAt = "erased_at"
        case lastInboundAt = "last_inbound_at", assignedTo = "assigned_to", priority, firstResponseAt = "first_response_at"
        case eraseRequestedAt = "erase_requested_at"
        case language, automaticAnswers = "automatic_answers", redirectedAt = "redirected_at"
    }

    /// The select list every thread query uses (`SELECT \(selection) FROM thread …`).
    static let selection = Columns.allCases.map(\.rawValue).joined(separator: ", ")

    public init(row: Row) throws {
        guard let channel = ChannelKind(rawValue: row[2]), let state = ThreadState(rawValue: row[3]) else {
            throw StoreError.corruptRow(table: "thread")
        }
        self.init(
            id: row[0], contactID: row[1], channel: channel, state: state, key: SQLiteAccess.storedKey(sealed: row[4], kek: row[5], version: row[6]),
            openedAt: row[7], lastActivityAt: row[8], closedAt: row[9], erasedAt: row[10], lastInboundAt: row[11])
        assignedTo = row[12]
        priority = row[13]
        firstResponseAt = row[14]
        eraseRequestedAt = row[15]
        language = (row[16] as String?).flatMap(ConversationLanguage.init(rawValue:))
        automaticAnswers = ThreadRecord.answers(row[17])
        redirectedAt = row[18]
    }
}

extension MessageRecord: FetchableRecord {
    /// The message table's columns, in the order of ``selection``.
    enum Columns: String, CaseIterable {
        case id, threadID = "thread_id", direction, sealedBody = "sealed_body", deliveryIndex = "delivery_index", createdAt = "created_at"
    }

    /// The select list every message query uses (`SELECT \(selection) FROM message …`).
    static let selection = Columns.allCases.map(\.rawValue).joined(separator: ", ")

    public init(row: Row) throws {
        guard let direction = MessageDirection(rawValue: row[2]) else { throw StoreError.corruptRow(table: "message") }
        self.init(id: row[0], threadID: row[1], direction: direction, sealedBody: row[3], deliveryIndex: row[4], createdAt: row[5])
    }
}
