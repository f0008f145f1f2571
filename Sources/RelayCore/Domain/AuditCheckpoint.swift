import Foundation
import RelayModel
import RelayStore

/// A signed checkpoint (C2SP signed note) of the audit log at a size.
public struct AuditCheckpoint: Sendable, Equatable {
    /// The tree size it commits to.
    public var treeSize: Int64
    /// The whole signed note.
    public var note: String
    /// When it was written.
    public var createdAt: Date

    init(_ row: CheckpointRow) {
        treeSize = row.treeSize
        note = row.note
        createdAt = Date(storeTime: row.createdAt)
    }
}
